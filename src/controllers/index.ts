export { AuthController } from './auth-controller';
export { clientOf, toTokenResponse } from './wire';
export type { CookieLoginView, SessionView, TokenResponse } from './wire';
