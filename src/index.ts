/**
 * routing-controllers-auth: stateful JWT authentication and authorization for
 * routing-controllers on Express.
 *
 * @packageDocumentation
 */

// Decorator metadata for the library's own controllers, whatever the app imports first.
import 'reflect-metadata';

// Setup
export { authFor, setupAuth } from './setup';
export type { AuthSetup, AuthStatus, SetupAuthInput } from './setup';

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
export { foldIdentifier } from './throttle';
export type { ResolvedThrottleOptions, ThrottleOptions } from './throttle';
export type {
  InvalidationRedis,
  InvalidationRedisOverride,
  InvalidationRedisSubscriber,
  ResolvedValidationCacheOptions,
  ValidationCacheOptions,
  ValidationCacheStats,
} from './cache';

// Errors
export {
  AUTH_ERROR_CODES,
  AuthBusyError,
  AuthConfigError,
  AuthError,
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
  RouteNotFoundError,
  SessionNotFoundError,
  TooManyRequestsError,
  WrongTokenTypeError,
} from './errors';
export type { AuthErrorBody, AuthErrorCode, ErrorCodeSpec } from './errors';

// Passwords
export {
  assertHashablePassword,
  DEFAULT_BCRYPT_COST,
  hashPassword,
  MAX_PASSWORD_BYTES,
  needsRehash,
  PasswordHasher,
  verifyPassword,
} from './passwords';
export type { PasswordHasherStats } from './passwords';

// Users
export { BaseUserAuthentication } from './users';
export type { ClaimValue, LoginCredentials, NewUser, UpdatedFields, UserChanges } from './users';

// Authorization
export { permission, PermissionRequirement, verified, VerifiedRequirement } from './authz';
export type { AccessRequirements, AuthRequirement } from './authz';

// Tokens
export {
  AddSessionGenerations1764547200000,
  AUTH_ENTITIES,
  AUTH_MIGRATIONS,
  AuthSessionEntity,
  AuthTokenEntity,
  CreateAuthTables1732233600000,
  decodeToken,
  encodeToken,
  isTokenType,
  MAX_TOKEN_LENGTH,
  MFA_TOKEN_TTL_SECONDS,
  TOKEN_PURPOSES,
  TokenService,
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
  PurgeOptions,
  PurgeResult,
  PurposeKey,
  RefreshClaims,
  Rotation,
  RotationOutcome,
  SessionInfo,
  SessionKind,
  SingleUseClaims,
  SingleUseType,
  StoredSession,
  StoreStatus,
  TokenClaims,
  TokenPair,
  TokenPurpose,
  TokenStorePort,
  TokenType,
  TokenUse,
  VerifyConfig,
} from './tokens';

// Flows
export { AuthFlows } from './flows';
export type { AuthContext, CallerSession, ClientInfo } from './flows';

// HTTP layer
export {
  AccessToken,
  AuthErrorHandler,
  authParamMetadata,
  clearAuthCookies,
  clientErrorHandler,
  CurrentUser,
  errorResponse,
  notFoundHandler,
  RefreshToken,
  setAuthCookies,
} from './http';
export type {
  AuthorizationChecker,
  AuthParamDecorator,
  AuthParamMetadata,
  CookieConfig,
  CurrentUserChecker,
  CurrentUserOptions,
  ErrorResponse,
  MiddlewareClass,
} from './http';

// Ready-made routes
export { AuthController, clientOf, noStore, toTokenResponse } from './controllers';
export type { CookieLoginView, SessionView, TokenResponse } from './controllers';

// Account flows (register, verify, reset, self-service, users by id)
export {
  AccountFlows,
  ACCOUNT_CONTROLLERS,
  AdminUpdateBody,
  AuthUser,
  AuthUserColumns,
  AuthUuidUser,
  Background,
  ChangePasswordBody,
  DeleteMeBody,
  EmailBody,
  emailKeyOf,
  EmailTakenError,
  InvalidPasswordError,
  InvalidResetTokenError,
  InvalidVerifyTokenError,
  logBackgroundError,
  MAX_ACCOUNT_TOKEN_LENGTH,
  MeController,
  MIN_PASSWORD_LENGTH,
  normalizeEmail,
  readBody,
  RegisterBody,
  RegisterController,
  ResetPasswordBody,
  ResetPasswordController,
  TokenBody,
  TypeOrmUserAuthentication,
  UpdateMeBody,
  UserNotFoundError,
  UsersAdminController,
  ValidationFailedError,
  VerifyController,
} from './account';
export type {
  AccountBridgeMethod,
  AccountController,
  AccountControllerNeeds,
  MissingAccountRoutes,
  PublicUser,
  AccountMail,
  AccountMailKind,
  AccountRoutesStatus,
  BackgroundErrorLogger,
  SetupWarningLogger,
  Mailer,
  RegisterOutcome,
  TypeOrmUserOptions,
} from './account';

// OpenAPI (routing-controllers-openapi stays optional: nothing here imports it)
export { enrichOpenApi } from './openapi';
export type { EnrichOpenApiOptions, OpenApiAuthConfig, OpenApiDocument } from './openapi';
