import type { JsonObject } from './document';
import { SCHEMA, schemaRef } from './schemas';

const stringHeader = (description: string): JsonObject => ({
  description,
  schema: { type: 'string' },
});

/** @internal An error response of the library: its codes in the text, the body `{name, code, message}`. */
export function errorResponse(
  description: string,
  codes: readonly string[],
  headers: Record<string, JsonObject> = {},
): JsonObject {
  return {
    description: `${description} Codes: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: { 'application/json': { schema: schemaRef(SCHEMA.error) } },
  };
}

/** @internal 401: no, a bad, expired or revoked token, or an inactive user. */
export function unauthorized(): JsonObject {
  return errorResponse(
    'No valid token: none (a bare `Bearer` challenge), or a malformed, expired, revoked or wrong-type one, or its user is inactive or gone (`error="invalid_token"`).',
    [
      'missing_credentials',
      'invalid_token',
      'token_expired',
      'token_revoked',
      'refresh_token_reused',
      'wrong_token_type',
      'user_inactive',
    ],
    { 'WWW-Authenticate': stringHeader('The Bearer challenge (RFC 6750 §3).') },
  );
}

/** @internal 401 of a login route: the same answer for an unknown user, a wrong password, an inactive user. */
export function badCredentials(): JsonObject {
  return errorResponse(
    'The credentials are wrong (the same answer for an unknown user, a wrong password and an inactive account).',
    ['invalid_credentials'],
    { 'WWW-Authenticate': stringHeader('`Bearer`.') },
  );
}

/** @internal 403: what the route demands that the caller lacks, and/or a failed CSRF check. */
export function forbidden(demands: readonly string[], csrf: boolean): JsonObject {
  const reasons: string[] = [];
  const codes: string[] = [];
  if (demands.length > 0) {
    reasons.push(`The caller lacks what the route demands: ${demands.join('; ')}.`);
    codes.push('insufficient_scope');
  }
  if (csrf) {
    reasons.push(
      'A cookie-authenticated call without the matching CSRF header, or from another site.',
    );
    codes.push('csrf_failed');
  }
  return errorResponse(reasons.join(' '), codes);
}

/** @internal 429 of a throttled route. */
export function tooManyRequests(): JsonObject {
  return errorResponse(
    'Too many failed logins for this account or address.',
    ['too_many_requests'],
    {
      'Retry-After': {
        description: 'Seconds to wait.',
        schema: { type: 'integer', minimum: 0 },
      },
    },
  );
}

/** @internal 400: a malformed `Authorization` header, a token in two places, a bad body. */
export function badRequest(): JsonObject {
  return errorResponse(
    'A malformed request: a bad `Authorization` header, a token sent in more than one place, or a bad body.',
    ['invalid_request'],
  );
}

/** @internal 503: the token store (or the user lookup) cannot be reached; the request is refused. */
export function unavailable(): JsonObject {
  return errorResponse('The token store cannot be reached: refused, never let through.', [
    'auth_unavailable',
  ]);
}
