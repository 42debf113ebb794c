export { BaseUserAuthentication } from './base-user-authentication';
export type {
  ClaimValue,
  LoginCredentials,
  NewUser,
  UpdatedFields,
  UserChanges,
} from './base-user-authentication';
