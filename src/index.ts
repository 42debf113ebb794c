/**
 * routing-controllers-auth: stateful JWT authentication and authorization for
 * routing-controllers on Express.
 *
 * @packageDocumentation
 */

// Configuration
export { resolveAuthConfig, REGISTERED_CLAIMS, SUPPORTED_ALGORITHMS } from './config';
export type {
  AuthEnv,
  AuthOptions,
  CookieOptions,
  CsrfOptions,
  JwtAlgorithm,
  ResolvedAuthConfig,
  ResolvedKeys,
  TokenLocation,
} from './config';

// Errors
export {
  AuthConfigError,
  AuthError,
  AuthBusyError,
  AuthUnavailableError,
  CsrfError,
  ExpiredTokenError,
  InactiveUserError,
  InsufficientScopeError,
  InvalidCredentialsError,
  InvalidRequestError,
  InvalidTokenError,
  MissingCredentialsError,
  PasswordPolicyError,
  RefreshTokenReuseError,
  RevokedTokenError,
  TooManyRequestsError,
  WrongTokenTypeError,
} from './errors';
export type { AuthErrorBody } from './errors';

// Passwords
export {
  assertHashablePassword,
  ConcurrencyLimiter,
  DEFAULT_BCRYPT_COST,
  defaultHashConcurrency,
  defaultHashQueueLimit,
  hashPassword,
  MAX_PASSWORD_BYTES,
  needsRehash,
  PasswordHasher,
  verifyPassword,
} from './passwords';
export type { PasswordHasherStats } from './passwords';

// Users
export { BaseUserAuthentication } from './users';
export type { ClaimValue, LoginCredentials } from './users';

// Tokens
export {
  AUTH_ENTITIES,
  AUTH_MIGRATIONS,
  AuthSessionEntity,
  AuthTokenEntity,
  CreateAuthTables1732233600000,
  decodeToken,
  encodeToken,
  MAX_TOKEN_LENGTH,
  TokenService,
  TokenStore,
  verifyToken,
} from './tokens';
export type {
  AccessClaims,
  ClaimsOf,
  DecodedToken,
  IssueOptions,
  LiveTokenRow,
  NewSession,
  NewToken,
  PurgeCounts,
  PurgeResult,
  RefreshClaims,
  SessionInfo,
  TokenClaims,
  TokenPair,
  TokenType,
  VerifyConfig,
} from './tokens';

// HTTP layer
export {
  AccessToken,
  assertCsrf,
  AuthErrorHandler,
  authenticate,
  authorizationChecker,
  authorize,
  clearAuthCookies,
  CurrentUser,
  currentUserChecker,
  errorResponse,
  extractToken,
  getRuntime,
  isSafeMethod,
  newCsrfToken,
  permission,
  PermissionRequirement,
  presentedRefreshToken,
  RefreshToken,
  safeEqual,
  setAuthCookies,
  verified,
  VerifiedRequirement,
} from './http';
export type {
  AccessRequirements,
  AuthContext,
  AuthParamDecorator,
  AuthRequirement,
  AuthRuntime,
  CookieConfig,
  CurrentUserOptions,
  ErrorResponse,
  PresentedToken,
  TokenSource,
} from './http';

// Throttling
export { BoundedMemoryLimiter, foldIdentifier, LoginThrottle } from './throttle';
export type {
  BoundedMemoryOptions,
  LoginAttempt,
  ResolvedThrottleOptions,
  ThrottleMemoryEntries,
  ThrottleOptions,
} from './throttle';

// Ready-made routes
export { AuthController, MAX_IDENTIFIER_LENGTH, readCredentials } from './controllers';
export type { CookieLoginView, SessionView } from './controllers';

// Setup
export { authStatus, setupAuth } from './setup';
export type { AuthSetup, AuthStatus, SetupAuthInput } from './setup';
