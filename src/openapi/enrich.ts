import { isDeepStrictEqual } from 'node:util';
import { getMetadataArgsStorage, type MetadataArgsStorage } from 'routing-controllers';
import { AuthController } from '../controllers/auth-controller';
import { authParamMetadata } from '../http/decorators/metadata';
import {
  childObject,
  isJsonObject,
  OPERATION_METHODS,
  openApiPath,
  type JsonObject,
  type OpenApiDocument,
  type OperationMethod,
} from './document';
import { guardOf, type ActionArgs } from './guards';
import { LIBRARY_ROUTES } from './library-routes';
import { describeOperation, type OperationFacts } from './operation';
import { librarySchemas } from './schemas';
import { securitySchemes, type OpenApiAuthConfig } from './security';

/** Options of {@link enrichOpenApi}. */
export interface EnrichOpenApiOptions {
  /**
   * The setup's resolved configuration, `auth.config`: where tokens are read from (which schemes
   * apply), the cookie names, the CSRF header and whether login is throttled.
   */
  config: OpenApiAuthConfig;
  /** routing-controllers' metadata. Default: `getMetadataArgsStorage()`. */
  storage?: MetadataArgsStorage;
  /**
   * The `routePrefix` given to routing-controllers, to find operations whose `operationId` was
   * changed (they are matched by path then). Default `""`.
   */
  routePrefix?: string;
  /**
   * `tokenUrl` of the OAuth2 password flow. Default: the path of `AuthController`'s
   * `POST /auth/token` in the document; without it (and without this option) no OAuth2 scheme.
   */
  tokenUrl?: string;
  /**
   * What an operation of a controller that nothing of this library guards gets: `"public"` (the
   * default) writes `security: []`; `"unchanged"` leaves it alone (for routes you guard by other
   * means). An operation that already has a `security` entry is never touched.
   */
  unguarded?: 'public' | 'unchanged';
}

interface Located {
  readonly path: string;
  readonly method: OperationMethod;
  readonly operation: JsonObject;
}

function operationsOf(doc: JsonObject): Located[] {
  const found: Located[] = [];
  const paths = doc.paths;
  if (!isJsonObject(paths)) return found;
  for (const [path, item] of Object.entries(paths)) {
    if (!isJsonObject(item)) continue;
    for (const method of OPERATION_METHODS) {
      const operation = item[method];
      if (isJsonObject(operation)) found.push({ path, method, operation });
    }
  }
  return found;
}

/** The operation of an action: by routing-controllers-openapi's `operationId`, else by path. */
function locate(
  operations: readonly Located[],
  storage: MetadataArgsStorage,
  action: ActionArgs,
  routePrefix: string,
): Located | undefined {
  const id = `${action.target.name}.${action.method}`;
  const byId = operations.find((entry) => entry.operation.operationId === id);
  if (byId !== undefined || typeof action.route === 'object') return byId;
  const controller = storage.controllers.find((entry) => entry.target === action.target);
  const path = openApiPath(`${routePrefix}${controller?.route ?? ''}${action.route}`);
  return operations.find(
    (entry) => entry.path === path && entry.method === (action.type as string),
  );
}

/** Adds `entries` under `parent[key]`; an entry of the same name must be the same. */
function addComponents(
  components: JsonObject,
  key: string,
  entries: Record<string, JsonObject>,
): void {
  const target = childObject(components, key);
  for (const [name, value] of Object.entries(entries)) {
    if (name in target && !isDeepStrictEqual(target[name], value)) {
      throw new TypeError(
        `enrichOpenApi: components.${key}.${name} already exists and differs from the one routing-controllers-auth adds; rename yours.`,
      );
    }
    target[name] = value;
  }
}

function onUndefinedStatus(storage: MetadataArgsStorage, action: ActionArgs): number | undefined {
  const handler = storage.responseHandlers.find(
    (entry) =>
      entry.type === 'on-undefined' &&
      entry.target === action.target &&
      entry.method === action.method,
  );
  const value: unknown = handler?.value;
  return typeof value === 'number' ? value : undefined;
}

/**
 * Adds to an OpenAPI 3 document what only this library knows about the routes: the security
 * schemes (`bearer` JWT, `oauth2` password flow on `/auth/token`, the `accessCookie` and
 * `refreshCookie` apiKeys under their configured names — each only when the configuration reads
 * tokens from there), each guarded operation's `security` (`{}` among them for
 * `@CurrentUser({ optional: true })`), its `401`, its `403` with `x-required-roles`,
 * `x-required-permissions` and `x-required-verified` where roles, permissions or a verified user
 * are demanded, `400` and `503`, the CSRF header parameter on cookie-authenticated unsafe
 * operations, and `AuthController`'s bodies, `429` on its login routes and `security: []` on them.
 * Operations nothing guards get `security: []` (see {@link EnrichOpenApiOptions.unguarded}).
 *
 * Guards are read from `@Authorized` (routing-controllers' metadata, with `permission()` and
 * `verified()` entries), this library's `@CurrentUser`, `@AccessToken` and `@RefreshToken`, and
 * routing-controllers' own `@CurrentUser`. The input is not changed: a new document is returned.
 * Nothing is imported from routing-controllers-openapi: build the document with it (or by hand).
 *
 * @param spec - an OpenAPI 3.0 or 3.1 document, e.g. `routingControllersToSpec(...)`'s.
 * @throws TypeError when `spec` is not an OpenAPI 3 document, or a schema or security scheme of
 *   the same name as one of the library's already exists with other content.
 * @example
 * ```ts
 * import { getMetadataArgsStorage } from 'routing-controllers';
 * import { routingControllersToSpec } from 'routing-controllers-openapi';
 * import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
 * import { enrichOpenApi } from 'routing-controllers-auth';
 *
 * const spec = routingControllersToSpec(getMetadataArgsStorage(), {}, {
 *   info: { title: 'My API', version: '1.0.0' },
 *   components: { schemas: validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/' }) },
 * });
 * const document = enrichOpenApi(spec, { config: auth.config });
 * app.get('/openapi.json', (_req, res) => res.json(document));
 * ```
 */
export function enrichOpenApi<Doc extends OpenApiDocument>(
  spec: Doc,
  options: EnrichOpenApiOptions,
): Doc {
  if (!isJsonObject(spec) || typeof spec.openapi !== 'string' || !/^3\./.test(spec.openapi)) {
    throw new TypeError('enrichOpenApi needs an OpenAPI 3 document (openapi: "3.x").');
  }
  const { config } = options;
  const storage = options.storage ?? getMetadataArgsStorage();
  const copy = structuredClone(spec);
  const doc: JsonObject = copy;
  const operations = operationsOf(doc);
  const params = authParamMetadata();
  const facts: OperationFacts[] = [];
  for (const action of storage.actions) {
    const found = locate(operations, storage, action, options.routePrefix ?? '');
    if (found === undefined) continue;
    const library =
      action.target === AuthController && Object.hasOwn(LIBRARY_ROUTES, action.method)
        ? LIBRARY_ROUTES[action.method as keyof typeof LIBRARY_ROUTES]
        : undefined;
    facts.push({
      ...found,
      guard: guardOf(storage, params, action, config.requireVerified),
      library,
      onUndefined: onUndefinedStatus(storage, action),
      isTokenRoute: action.target === AuthController && action.method === 'token',
    });
  }
  const tokenRoute = facts.find((entry) => entry.isTokenRoute);
  const tokenUrl = options.tokenUrl ?? tokenRoute?.path ?? null;

  const components = childObject(doc, 'components');
  addComponents(components, 'schemas', librarySchemas(spec.openapi));
  addComponents(components, 'securitySchemes', securitySchemes(config, tokenUrl));
  const available = new Set(Object.keys(childObject(components, 'securitySchemes')));
  for (const entry of facts) {
    describeOperation(entry, config, available, options.unguarded !== 'unchanged');
  }
  return copy;
}
