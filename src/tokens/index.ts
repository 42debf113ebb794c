export type { AccessClaims, ClaimsOf, RefreshClaims, TokenClaims, TokenType } from './claims';
export { decodeToken, encodeToken, MAX_TOKEN_LENGTH, verifyToken } from './jwt';
export type { DecodedToken, VerifyConfig } from './jwt';
export {
  AUTH_ENTITIES,
  AUTH_MIGRATIONS,
  AuthSessionEntity,
  AuthTokenEntity,
  CreateAuthTables1732233600000,
  TokenStore,
} from './store';
export type { LiveTokenRow, NewSession, NewToken, PurgeCounts } from './store';
export { TokenService } from './token-service';
export type { IssueOptions, PurgeResult, SessionInfo, TokenPair } from './token-service';
