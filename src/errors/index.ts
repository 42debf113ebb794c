export { AuthError } from './auth-error';
export type { AuthErrorBody } from './auth-error';
export { AuthConfigError } from './config-error';
export {
  AuthBusyError,
  AuthUnavailableError,
  CsrfError,
  InactiveUserError,
  InsufficientScopeError,
  InvalidCredentialsError,
  InvalidRequestError,
  MissingCredentialsError,
  PasswordPolicyError,
  TooManyRequestsError,
} from './http-errors';
export {
  ExpiredTokenError,
  InvalidTokenError,
  RefreshTokenReuseError,
  RevokedTokenError,
  WrongTokenTypeError,
} from './token-errors';
