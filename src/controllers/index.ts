export { AuthController } from './auth-controller';
export { clientOf, noStore, toTokenResponse } from './wire';
export type { CookieLoginView, SessionView, TokenResponse } from './wire';
