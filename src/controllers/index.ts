export { AuthController, toTokenResponse } from './auth-controller';
export type { CookieLoginView, SessionView, TokenResponse } from './auth-controller';
export { readCredentials, MAX_IDENTIFIER_LENGTH } from './credentials';
