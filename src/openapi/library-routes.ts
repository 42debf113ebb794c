import type { AuthController } from '../controllers/auth-controller';
import type { JsonObject } from './document';
import { errorResponse } from './responses';
import { SCHEMA, schemaRef } from './schemas';

/**
 * @internal How one of `AuthController`'s routes is documented. `guard` says what its decorators
 * cannot: `public` (credentials in the body), `refresh` (a refresh token, read by hand), `session`
 * (the access token, or else the refresh token from its cookie or the body).
 */
export interface LibraryRoute {
  readonly guard?: 'public' | 'refresh' | 'session';
  /** Counted by the login throttle. */
  readonly throttled?: boolean;
  readonly description: string;
  readonly requestBody?: JsonObject;
  /** Success responses: they replace the one routing-controllers-openapi guessed. */
  readonly success: Record<string, JsonObject>;
  /** Further error responses of the route. */
  readonly errors?: Record<string, JsonObject>;
}

const NO_STORE = {
  'Cache-Control': {
    description: '`no-store`: the body carries tokens.',
    schema: { type: 'string' },
  },
};

const json = (schema: JsonObject, description: string, headers: JsonObject = NO_STORE) => ({
  description,
  headers,
  content: { 'application/json': { schema } },
});

const pair = json(schemaRef(SCHEMA.tokenResponse), 'A new token pair.');
const cookies = json(schemaRef(SCHEMA.cookieLogin), 'The tokens are set as HttpOnly cookies.', {
  ...NO_STORE,
  'Set-Cookie': {
    description: 'The access, refresh and readable CSRF cookies.',
    schema: { type: 'string' },
  },
});
const noContent = { '204': { description: 'Done.' } };

const loginBody: JsonObject = {
  required: true,
  content: { 'application/json': { schema: schemaRef(SCHEMA.loginRequest) } },
};
const refreshBody: JsonObject = {
  required: false,
  description: 'Only when the refresh token is neither the Bearer token nor in its cookie.',
  content: { 'application/json': { schema: schemaRef(SCHEMA.refreshRequest) } },
};

/** @internal Every route of `AuthController`, by method name (the compiler keeps it complete). */
export const LIBRARY_ROUTES: Record<keyof AuthController, LibraryRoute> = {
  login: {
    guard: 'public',
    throttled: true,
    description: 'Logs in with a JSON body and answers a token pair.',
    requestBody: loginBody,
    success: { '200': pair },
  },
  token: {
    guard: 'public',
    throttled: true,
    description: 'The OAuth 2.0 password grant (the form Swagger UI’s Authorize sends).',
    requestBody: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': { schema: schemaRef(SCHEMA.passwordGrant) },
      },
    },
    success: { '200': pair },
  },
  refresh: {
    guard: 'refresh',
    description:
      'Rotates a refresh token: the one presented dies as the new pair is born; presenting it again revokes the session.',
    requestBody: refreshBody,
    success: { '200': pair },
  },
  logout: {
    guard: 'session',
    description:
      "Ends the caller's session (both tokens); the auth cookies are cleared. Without a usable access token, the refresh token (cookie or body) says which session.",
    requestBody: refreshBody,
    success: noContent,
  },
  logoutAll: {
    description: 'Ends every session of the caller.',
    success: noContent,
  },
  sessions: {
    description: "The caller's live sessions, newest first.",
    success: {
      '200': json({ type: 'array', items: schemaRef(SCHEMA.session) }, 'The live sessions.'),
    },
  },
  revokeSession: {
    description: "Ends one of the caller's own sessions.",
    success: noContent,
    errors: {
      '404': errorResponse('No live session of the caller has this id.', ['session_not_found']),
    },
  },
  cookieLogin: {
    guard: 'public',
    throttled: true,
    description:
      'Logs in like `/auth/login`, but the tokens go to HttpOnly cookies; the body carries the CSRF token.',
    requestBody: loginBody,
    success: { '200': cookies },
  },
  cookieRefresh: {
    guard: 'refresh',
    description: 'Rotates the refresh cookie and sets new cookies.',
    requestBody: refreshBody,
    success: { '200': cookies },
  },
};
