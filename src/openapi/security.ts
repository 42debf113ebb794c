import type { ResolvedAuthConfig } from '../config/resolved';
import type { JsonObject } from './document';
import type { Credential } from './guards';

/** The configuration the enricher reads: pass the setup's `auth.config`. */
export type OpenApiAuthConfig = Pick<
  ResolvedAuthConfig,
  'tokenLocation' | 'cookies' | 'csrf' | 'throttle' | 'requireVerified'
>;

/** @internal Names of the security schemes under `components.securitySchemes`. */
export const SCHEME = {
  bearer: 'bearer',
  oauth2: 'oauth2',
  accessCookie: 'accessCookie',
  refreshCookie: 'refreshCookie',
} as const;

/**
 * @internal One way to present what an operation needs: the schemes used together, and whether
 * it takes the `Authorization` header (which carries one token only).
 */
export interface Alternative {
  readonly schemes: readonly string[];
  readonly header: boolean;
  readonly cookie: boolean;
}

const NONE: Alternative = { schemes: [], header: false, cookie: false };

/** @internal The ways to present one token, as far as the configuration reads them. */
export function alternativesFor(credential: Credential, config: OpenApiAuthConfig): Alternative[] {
  const found: Alternative[] = [];
  const header = config.tokenLocation.includes('header');
  const cookie = config.tokenLocation.includes('cookie');
  if (header) found.push({ schemes: [SCHEME.bearer], header: true, cookie: false });
  if (header && credential === 'access') {
    found.push({ schemes: [SCHEME.oauth2], header: true, cookie: false });
  }
  if (cookie) {
    const scheme = credential === 'access' ? SCHEME.accessCookie : SCHEME.refreshCookie;
    found.push({ schemes: [scheme], header: false, cookie: true });
  }
  // A refresh token may always come as the JSON body's `refresh_token`: no scheme says so.
  if (credential === 'refresh') found.push(NONE);
  return found;
}

/** @internal Every way to present all of `credentials` at once (one header token at most). */
export function combine(sets: readonly Alternative[][]): Alternative[] {
  let result: Alternative[] = [NONE];
  for (const options of sets) {
    const next: Alternative[] = [];
    for (const left of result) {
      for (const right of options) {
        if (left.header && right.header) continue;
        next.push({
          schemes: [...left.schemes, ...right.schemes],
          header: left.header || right.header,
          cookie: left.cookie || right.cookie,
        });
      }
    }
    result = next;
  }
  return result;
}

/** @internal An OpenAPI `security` array: each alternative as one requirement object. */
export function securityOf(alternatives: readonly Alternative[]): JsonObject[] {
  const seen = new Set<string>();
  const security: JsonObject[] = [];
  for (const { schemes } of alternatives) {
    const key = [...schemes].sort().join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    security.push(Object.fromEntries(schemes.map((scheme) => [scheme, []])));
  }
  return security;
}

/** @internal The schemes the configuration reads tokens through. */
export function securitySchemes(
  config: OpenApiAuthConfig,
  tokenUrl: string | null,
): Record<string, JsonObject> {
  const schemes: Record<string, JsonObject> = {};
  if (config.tokenLocation.includes('header')) {
    schemes[SCHEME.bearer] = {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'An access token (a refresh token on the refresh routes) as `Authorization: Bearer <token>`.',
    };
    if (tokenUrl !== null) {
      schemes[SCHEME.oauth2] = {
        type: 'oauth2',
        description: 'The OAuth 2.0 password grant: username and password for a bearer token.',
        flows: { password: { tokenUrl, scopes: {} } },
      };
    }
  }
  if (config.tokenLocation.includes('cookie')) {
    const csrf = `unsafe methods also need the \`${config.csrf.headerName}\` header.`;
    schemes[SCHEME.accessCookie] = {
      type: 'apiKey',
      in: 'cookie',
      name: config.cookies.accessTokenName,
      description: `The HttpOnly access cookie a cookie login sets; ${csrf}`,
    };
    schemes[SCHEME.refreshCookie] = {
      type: 'apiKey',
      in: 'cookie',
      name: config.cookies.refreshTokenName,
      description: `The HttpOnly refresh cookie (path \`${config.cookies.refreshPath}\`); ${csrf}`,
    };
  }
  return schemes;
}
