import {
  childObject,
  isJsonObject,
  UNSAFE_METHODS,
  type JsonObject,
  type OperationMethod,
} from './document';
import type { RouteGuard } from './guards';
import type { LibraryRoute } from './library-routes';
import {
  badCredentials,
  badRequest,
  forbidden,
  tooManyRequests,
  unauthorized,
  unavailable,
} from './responses';
import {
  alternativesFor,
  combine,
  securityOf,
  type Alternative,
  type OpenApiAuthConfig,
} from './security';

/** @internal What the enricher knows about one operation of the document. */
export interface OperationFacts {
  readonly path: string;
  readonly method: OperationMethod;
  readonly operation: JsonObject;
  /** What this library's decorators demand, or `null`. */
  readonly guard: RouteGuard | null;
  /** The route's entry when it is one of `AuthController`'s. */
  readonly library: LibraryRoute | undefined;
  /** The `@OnUndefined` status, if any. */
  readonly onUndefined: number | undefined;
  /** Whether this is `AuthController`'s OAuth2 token route. */
  readonly isTokenRoute: boolean;
}

const ANONYMOUS: Alternative = { schemes: [], header: false, cookie: false };

/** The ways to authenticate an operation, or `null` when it is public. */
function alternativesOf(facts: OperationFacts, config: OpenApiAuthConfig): Alternative[] | null {
  const kind = facts.library?.guard;
  if (kind === 'public') return null;
  if (kind === 'refresh') return alternativesFor('refresh', config);
  if (kind === 'session') {
    // The access token; or, without one, the refresh token from its cookie or the body.
    const refresh = alternativesFor('refresh', config).filter((alt) => !alt.header);
    return [...alternativesFor('access', config), ...refresh];
  }
  const { guard } = facts;
  if (guard === null) return null;
  // Access before refresh, whatever order the decorators ran in.
  const credentials = [...guard.credentials].sort();
  const combined = combine(credentials.map((kind) => alternativesFor(kind, config)));
  return guard.anonymous ? [...combined, ANONYMOUS] : combined;
}

/** What a 403 names: roles (one of each list), permissions (all), a verified account. */
function demandsOf(guard: RouteGuard | null): string[] {
  if (guard === null) return [];
  const demands = guard.roleSets.map((roles) => `one of the roles ${roles.join(', ')}`);
  if (guard.permissions.length > 0) {
    demands.push(`the permissions ${guard.permissions.join(', ')}`);
  }
  if (guard.verified) demands.push('a verified account');
  return demands;
}

function setResponse(responses: JsonObject, status: string, response: JsonObject): void {
  if (!(status in responses)) responses[status] = response;
}

function addCsrfHeader(operation: JsonObject, headerName: string): void {
  const existing = Array.isArray(operation.parameters) ? (operation.parameters as unknown[]) : [];
  const present = existing.some(
    (param) =>
      isJsonObject(param) &&
      param.in === 'header' &&
      typeof param.name === 'string' &&
      param.name.toLowerCase() === headerName,
  );
  if (present) return;
  operation.parameters = [
    ...existing,
    {
      name: headerName,
      in: 'header',
      required: false,
      description:
        'The CSRF token (the readable CSRF cookie, or `csrfToken` of the cookie login): required when a cookie authenticates this call, not with a Bearer token.',
      schema: { type: 'string' },
    },
  ];
}

function applyLibraryRoute(operation: JsonObject, route: LibraryRoute): void {
  const guessed = childObject(operation, 'responses');
  const kept = Object.entries(guessed).filter(([status]) => !status.startsWith('2'));
  const responses: JsonObject = { ...route.success, ...Object.fromEntries(kept) };
  operation.responses = responses;
  for (const [status, response] of Object.entries(route.errors ?? {})) {
    setResponse(responses, status, response);
  }
  if (route.requestBody !== undefined) operation.requestBody = route.requestBody;
  if (typeof operation.description !== 'string') operation.description = route.description;
}

/** @internal Writes security, parameters, responses and `x-` extensions of one operation. */
export function describeOperation(
  facts: OperationFacts,
  config: OpenApiAuthConfig,
  available: ReadonlySet<string>,
  unguardedPublic: boolean,
): void {
  const { operation, library, guard } = facts;
  if (library !== undefined) applyLibraryRoute(operation, library);
  const responses = childObject(operation, 'responses');
  if (library === undefined && facts.onUndefined !== undefined) {
    setResponse(responses, String(facts.onUndefined), { description: 'No content.' });
  }
  const alternatives = alternativesOf(facts, config)?.filter((alt) =>
    alt.schemes.every((scheme) => available.has(scheme)),
  );
  if (alternatives === undefined) {
    if (library?.guard === 'public') {
      operation.security = [];
      setResponse(responses, '400', badRequest());
      setResponse(responses, '401', badCredentials());
      if (library.throttled === true && config.throttle !== null) {
        setResponse(responses, '429', tooManyRequests());
      }
      setResponse(responses, '503', unavailable());
    } else if (unguardedPublic && !('security' in operation)) {
      operation.security = [];
    }
    return;
  }
  operation.security = securityOf(alternatives);
  const csrf = UNSAFE_METHODS.has(facts.method) && alternatives.some((alt) => alt.cookie);
  if (csrf) addCsrfHeader(operation, config.csrf.headerName);
  const demands = demandsOf(guard);
  setResponse(responses, '400', badRequest());
  setResponse(responses, '401', unauthorized());
  if (demands.length > 0 || csrf) setResponse(responses, '403', forbidden(demands, csrf));
  setResponse(responses, '503', unavailable());
  if (guard === null) return;
  const roles = [...new Set(guard.roleSets.flat())];
  if (roles.length > 0) operation['x-required-roles'] = roles;
  if (guard.permissions.length > 0) operation['x-required-permissions'] = [...guard.permissions];
  if (guard.verified) operation['x-required-verified'] = true;
}
