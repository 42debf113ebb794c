export { AuthError } from './auth-error';
export type { AuthErrorBody } from './auth-error';
export { AUTH_ERROR_CODES } from './codes';
export type { AuthErrorCode, ErrorCodeSpec } from './codes';
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
  RouteNotFoundError,
  SessionNotFoundError,
  TooManyRequestsError,
} from './http-errors';
export {
  ExpiredTokenError,
  InvalidTokenError,
  RefreshTokenReuseError,
  RevokedTokenError,
  WrongTokenTypeError,
} from './token-errors';
