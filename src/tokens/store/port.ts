import type { ClaimValue } from '../../users/base-user-authentication';
import type { TokenType } from '../claims';

/** What a session is for: a login, or the private session of one single-use token. */
export type SessionKind = 'login' | 'verify' | 'reset' | 'mfa';

/** A session to create. */
export interface NewSession {
  /** Session id (`sid`), a lower-case UUID. */
  id: string;
  /** The user's id as a string. */
  userId: string;
  /** See {@link SessionKind}. */
  kind: SessionKind;
  /** Start, epoch ms. */
  createdAt: number;
  /** Absolute end, epoch ms. */
  expiresAt: number;
  /** User-Agent at login. */
  userAgent: string | null;
  /** Client IP at login. */
  ip: string | null;
  /** `jti` of the first refresh token, if any. */
  refreshJti: string | null;
  /** `jti` of the first access token, if any. */
  accessJti: string | null;
  /** Extra claims issued with the session. */
  claims: Readonly<Record<string, ClaimValue>>;
}

/** A token row to record. */
export interface NewToken {
  /** Token id, a lower-case UUID. */
  jti: string;
  /** Its session. */
  sessionId: string;
  /** The user's id as a string. */
  userId: string;
  /** Its purpose. */
  type: TokenType;
  /** The session generation it belongs to. */
  generation: number;
  /** Issued, epoch ms. */
  createdAt: number;
  /** Expiry, epoch ms. */
  expiresAt: number;
}

/** A stored session, as the store hands it back. */
export interface StoredSession {
  /** Session id. */
  id: string;
  /** The user's id as a string. */
  userId: string;
  /** See {@link SessionKind}. */
  kind: string;
  /** Start, epoch ms. */
  createdAt: number;
  /** Last login or refresh, epoch ms. */
  lastUsedAt: number;
  /** Absolute end, epoch ms. */
  expiresAt: number;
  /** When revoked, or null. */
  revokedAt: number | null;
  /** User-Agent at login. */
  userAgent: string | null;
  /** Client IP at login. */
  ip: string | null;
  /** Current refresh generation. */
  generation: number;
  /** `jti` of the current generation's refresh token. */
  refreshJti: string | null;
  /** `jti` of the current generation's access token. */
  accessJti: string | null;
  /** Extra claims of the current generation. */
  claims: Record<string, ClaimValue>;
}

/** What the validation lookup returns: the token row joined with its session. */
export interface LiveTokenRow {
  /** The row's `jti`, exactly as stored. */
  jti: string;
  /** Owner (`sub`). */
  userId: string;
  /** Session (`sid`). */
  sessionId: string;
  /** Token purpose. */
  type: string;
  /** The generation the token was issued in. */
  generation: number;
  /** Token expiry, epoch ms. */
  expiresAt: number;
  /** When revoked or rotated, or null. */
  revokedAt: number | null;
  /** Successor's `jti` for a rotated refresh token. */
  replacedBy: string | null;
  /** When the session was revoked, or null. */
  sessionRevokedAt: number | null;
  /** Session's absolute end, epoch ms. */
  sessionExpiresAt: number;
  /** The session's current generation. */
  sessionGeneration: number;
  /** `jti` of the session's current refresh token. */
  sessionRefreshJti: string | null;
}

/** A rotation for {@link TokenStorePort.rotate}. */
export interface Rotation {
  /** The refresh token traded in. */
  jti: string;
  /** Its session. */
  sessionId: string;
  /** The session generation the successor was built on; the new pair is one higher. */
  fromGeneration: number;
  /** The successor pair's rows (generation `fromGeneration + 1`). */
  tokens: readonly NewToken[];
  /** The successor's refresh `jti` (recorded as the old row's `replacedBy`). */
  refreshJti: string;
  /** The successor's access `jti`. */
  accessJti: string | null;
  /** The claims the successor carries, kept with the session. */
  claims: Readonly<Record<string, ClaimValue>>;
  /** Now, epoch ms. */
  now: number;
}

/**
 * Why a rotation did not happen: the presented token is no longer live (rotated or revoked
 * meanwhile), or the session is gone or moved to another generation. Nothing was written.
 */
export type RotationOutcome = 'rotated' | 'token-not-live' | 'session-changed';

/** Rows deleted by {@link TokenStorePort.purgeExpired}. */
export interface PurgeCounts {
  /** Token rows deleted. */
  tokens: number;
  /** Session rows deleted. */
  sessions: number;
}

/** How {@link TokenStorePort.purgeExpired} deletes. */
export interface PurgeOptions {
  /**
   * Most rows of one table deleted in one transaction; the store leaves the database to other
   * work between two batches. Default: the store's own (the TypeORM store's: 250).
   */
  batchSize?: number;
  /** Stops the purge between two batches (what was deleted so far stays deleted). */
  signal?: AbortSignal;
}

/** What a store says about its backing database, for `authStatus()`. */
export interface StoreStatus {
  /** e.g. the TypeORM driver type. */
  type: string;
  /** Whether it is connected. */
  initialized: boolean;
}

/**
 * The storage port of the token engine. `TokenStore` (TypeORM) is one implementation; every
 * implementation must pass the same conformance suite. Contracts every method keeps:
 * - ids are compared exactly (no case folding, no trailing-space padding), whatever the database;
 * - a failure of the backing store surfaces as `AuthUnavailableError` (503): fail closed;
 * - each method is atomic: it happens entirely or not at all (`purgeExpired` batch by batch).
 */
export interface TokenStorePort {
  /**
   * Records a session and its first tokens. For a `login` session, when the user already holds
   * `maxSessions` live login sessions, the oldest are revoked so that the new one is the last
   * allowed. Returns the ids of the sessions revoked that way.
   */
  createSession(
    session: NewSession,
    tokens: readonly NewToken[],
    limit: { maxSessions: number; now: number },
  ): Promise<string[]>;
  /** Adds tokens to a session if it is live and the user's; `false` otherwise. */
  addTokens(
    sessionId: string,
    userId: string,
    tokens: readonly NewToken[],
    now: number,
  ): Promise<boolean>;
  /** The one query of every validation. `null` when the `jti` is unknown. */
  lookup(jti: string): Promise<LiveTokenRow | null>;
  /** A session by id, or `null`. */
  findSession(sessionId: string): Promise<StoredSession | null>;
  /**
   * Trades a live refresh token for its successor atomically: the old row is marked rotated only
   * if still live, the session moves from `fromGeneration` to the next only if still live and
   * there, the successor's rows are inserted, and rows older than `fromGeneration` are deleted,
   * so a session holds at most two generations of rows. Of concurrent calls with one `jti`,
   * exactly one returns `'rotated'`.
   */
  rotate(rotation: Rotation): Promise<RotationOutcome>;
  /** Marks a live single-use token used. `true` for exactly one of concurrent callers. */
  consume(jti: string, type: TokenType, now: number): Promise<boolean>;
  /** Revokes one token. `true` if it was live. */
  revokeToken(jti: string, now: number): Promise<boolean>;
  /** Revokes a session and its tokens; with `userId`, only that user's. `true` if it was live. */
  revokeSession(sessionId: string, now: number, userId?: string): Promise<boolean>;
  /**
   * Revokes every session (and token) of a user, but `except`. Returns how many login
   * sessions were live.
   */
  revokeUser(userId: string, now: number, options?: { except?: string }): Promise<number>;
  /** A user's live login sessions, newest first. */
  listSessions(userId: string, now: number): Promise<StoredSession[]>;
  /**
   * Deletes tokens and sessions that expired before `before`, at most `options.batchSize` rows
   * of a table per transaction (each batch atomic; an interrupted purge leaves only expired rows
   * for the next one).
   */
  purgeExpired(before: number, options?: PurgeOptions): Promise<PurgeCounts>;
  /** The backing database, for status reports. */
  status(): StoreStatus;
}
