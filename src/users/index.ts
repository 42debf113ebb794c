export { BaseUserAuthentication } from './base-user-authentication';
export type {
  ClaimValue,
  LoginCredentials,
  NewUser,
  UserChanges,
} from './base-user-authentication';
