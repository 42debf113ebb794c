export { BaseUserAuthentication } from './base-user-authentication';
export type { ClaimValue, LoginCredentials } from './base-user-authentication';
