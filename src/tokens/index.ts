export type {
  AccessClaims,
  ClaimsOf,
  RefreshClaims,
  SingleUseClaims,
  TokenClaims,
  TokenType,
} from './claims';
export { decodeToken, encodeToken, MAX_TOKEN_LENGTH, verifyToken } from './jwt';
export type { DecodedToken, VerifyConfig } from './jwt';
export { isTokenType, MFA_TOKEN_TTL_SECONDS, TOKEN_PURPOSES } from './purposes';
export type { PurposeKey, TokenPurpose, TokenUse } from './purposes';
export {
  AddSessionGenerations1764547200000,
  AUTH_ENTITIES,
  AUTH_MIGRATIONS,
  AuthSessionEntity,
  AuthTokenEntity,
  CreateAuthTables1732233600000,
  TokenStore,
} from './store';
export type {
  LiveTokenRow,
  NewSession,
  NewToken,
  PurgeCounts,
  PurgeOptions,
  Rotation,
  RotationOutcome,
  SessionKind,
  StoredSession,
  StoreStatus,
  TokenStorePort,
} from './store';
export { TokenService } from './token-service';
export type {
  IssueOptions,
  PurgeResult,
  SessionInfo,
  SingleUseType,
  TokenPair,
} from './token-service';
