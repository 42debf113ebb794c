export { AuthController } from './auth-controller';
export type { CookieLoginView, SessionView } from './auth-controller';
export { readCredentials, MAX_IDENTIFIER_LENGTH } from './credentials';
