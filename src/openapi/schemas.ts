import { MAX_IDENTIFIER_LENGTH } from '../flows/credentials';
import type { JsonObject } from './document';

/** @internal Names of the schemas the enricher adds under `components.schemas`. */
export const SCHEMA = {
  error: 'AuthErrorBody',
  tokenResponse: 'AuthTokenResponse',
  session: 'AuthSessionView',
  cookieLogin: 'AuthCookieLoginView',
  loginRequest: 'AuthLoginRequest',
  passwordGrant: 'AuthPasswordGrantRequest',
  refreshRequest: 'AuthRefreshRequest',
} as const;

/** @internal A `$ref` to one of the document's schemas. */
export function schemaRef(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

/** A string that may be null, spelled for the document's OpenAPI version. */
function nullableString(openapi: string, description: string): JsonObject {
  return openapi.startsWith('3.0')
    ? { type: 'string', nullable: true, description }
    : { type: ['string', 'null'], description };
}

const seconds = (description: string): JsonObject => ({
  type: 'integer',
  minimum: 0,
  description,
});
const isoTime = (description: string): JsonObject => ({
  type: 'string',
  format: 'date-time',
  description,
});

/** @internal The library's own bodies (`AuthController` and every error), as JSON Schemas. */
export function librarySchemas(openapi: string): Record<string, JsonObject> {
  const identifier = { type: 'string', minLength: 1, maxLength: MAX_IDENTIFIER_LENGTH };
  const password = { type: 'string', format: 'password', minLength: 1 };
  return {
    [SCHEMA.error]: {
      type: 'object',
      description: 'Every error of the library: a stable `code` to switch on, and nothing else.',
      required: ['name', 'code', 'message'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', example: 'MissingCredentialsError' },
        code: { type: 'string', example: 'missing_credentials' },
        message: { type: 'string', example: 'Authentication is required.' },
      },
    },
    [SCHEMA.tokenResponse]: {
      type: 'object',
      description: 'A token pair on the OAuth 2.0 wire (RFC 6749 §5.1).',
      required: ['access_token', 'refresh_token', 'token_type', 'expires_in', 'refresh_expires_in'],
      additionalProperties: false,
      properties: {
        access_token: { type: 'string', description: 'The access token (JWT).' },
        refresh_token: { type: 'string', description: 'The refresh token (JWT).' },
        token_type: { type: 'string', enum: ['bearer'] },
        expires_in: seconds('Seconds until the access token expires.'),
        refresh_expires_in: seconds('Seconds until the refresh token (and the session) expires.'),
      },
    },
    [SCHEMA.session]: {
      type: 'object',
      description: 'A live session of the caller.',
      required: ['id', 'createdAt', 'lastUsedAt', 'expiresAt', 'userAgent', 'ip', 'current'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', description: 'Session id.' },
        createdAt: isoTime('When the session started.'),
        lastUsedAt: isoTime('When it last got tokens (login or refresh).'),
        expiresAt: isoTime('When it ends at the latest.'),
        userAgent: nullableString(openapi, 'User-Agent given at login.'),
        ip: nullableString(openapi, 'Client IP given at login.'),
        current: { type: 'boolean', description: "Whether this is the caller's own session." },
      },
    },
    [SCHEMA.cookieLogin]: {
      type: 'object',
      description: 'A cookie login or refresh: the tokens went to HttpOnly cookies, not here.',
      required: ['expiresIn', 'refreshExpiresIn', 'csrfToken'],
      additionalProperties: false,
      properties: {
        expiresIn: seconds('Seconds until the access cookie expires.'),
        refreshExpiresIn: seconds('Seconds until the refresh cookie (and the session) expires.'),
        csrfToken: {
          type: 'string',
          description:
            "The session's CSRF token (also a readable cookie): echo it in the CSRF header.",
        },
      },
    },
    [SCHEMA.loginRequest]: {
      type: 'object',
      description: 'Credentials: `email` or `username` (one of them), and `password`.',
      required: ['password'],
      oneOf: [{ required: ['email'] }, { required: ['username'] }],
      properties: { email: identifier, username: identifier, password },
    },
    [SCHEMA.passwordGrant]: {
      type: 'object',
      description: 'The OAuth 2.0 password grant (RFC 6749 §4.3.2).',
      required: ['username', 'password'],
      properties: {
        grant_type: { type: 'string', enum: ['password'] },
        username: identifier,
        password,
      },
    },
    [SCHEMA.refreshRequest]: {
      type: 'object',
      description:
        'The refresh token, when it is not sent as `Authorization: Bearer` or in its cookie.',
      properties: { refresh_token: { type: 'string', minLength: 1 } },
    },
  };
}
