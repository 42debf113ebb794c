import { createHash } from 'node:crypto';
import { IsNull, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { AuthError } from '../../errors/auth-error';
import { AuthUnavailableError } from '../../errors/http-errors';
import { AuthSessionEntity } from './session.entity';
import { AuthTokenEntity } from './token.entity';

/** A session to create. */
export interface NewSession {
  /** Session id (`sid`). */
  id: string;
  /** The user's id as a string. */
  userId: string;
  /** Start, epoch ms. */
  createdAt: number;
  /** Absolute end, epoch ms. */
  expiresAt: number;
  /** User-Agent at login. */
  userAgent: string | null;
  /** Client IP at login. */
  ip: string | null;
}

/** A token row to record. */
export interface NewToken {
  /** Token id. */
  jti: string;
  /** Its session. */
  sessionId: string;
  /** The user's id as a string. */
  userId: string;
  /** Token type. */
  type: 'access' | 'refresh';
  /** Issued, epoch ms. */
  createdAt: number;
  /** Expiry, epoch ms. */
  expiresAt: number;
}

/** Rows deleted by {@link TokenStore.purgeExpired}. */
export interface PurgeCounts {
  /** Token rows deleted. */
  tokens: number;
  /** Session rows deleted. */
  sessions: number;
}

/** What the validation lookup returns: the token row joined with its session. */
export interface LiveTokenRow {
  /** Owner (`sub`). */
  userId: string;
  /** Session (`sid`). */
  sessionId: string;
  /** Token type. */
  type: string;
  /** Token expiry, epoch ms. */
  expiresAt: number;
  /** When revoked, or null. */
  revokedAt: number | null;
  /** Successor's `jti` for a rotated refresh token. */
  replacedBy: string | null;
  /** When the session was revoked, or null. */
  sessionRevokedAt: number | null;
  /** Session's absolute end, epoch ms. */
  sessionExpiresAt: number;
}

/** The slice of pg's Pool used for the prepared lookup. */
interface PreparingPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: RawLookup[] }>;
}

interface RawLookup {
  userId: string;
  sessionId: string;
  type: string;
  expiresAt: string | number;
  revokedAt: string | number | null;
  replacedBy: string | null;
  sessionRevokedAt: string | number | null;
  sessionExpiresAt: string | number;
}

const num = (value: string | number): number => Number(value);
const numOrNull = (value: string | number | null): number | null =>
  value === null ? null : Number(value);

/** Error codes of serialization failures and deadlocks, worth one more try. */
const RETRYABLE = new Set([
  '40001',
  '40P01',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'SQLITE_BUSY',
]);

function isRetryable(error: unknown): boolean {
  const code =
    (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.driverError?.code ??
    (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Drivers with one shared connection: TypeORM runs every transaction of the DataSource on it, so
 * two concurrent `transaction()` calls interleave (typeorm/typeorm#1884). Their writes are
 * serialized per DataSource instead.
 */
const SINGLE_CONNECTION = new Set([
  'better-sqlite3',
  'sqlite',
  'sqljs',
  'capacitor',
  'cordova',
  'expo',
  'react-native',
  'nativescript',
]);
const writeQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * The token store over a TypeORM DataSource (SQLite, PostgreSQL, MariaDB/MySQL). Every
 * failure of the database surfaces as {@link AuthUnavailableError} (503): the store fails closed.
 * Used by `TokenService`; exported for those who need its rows directly.
 */
export class TokenStore {
  private lookupSql: string | undefined;
  private statementName: string | undefined;

  private readonly serialized: boolean;

  /** @param dataSource - an initialized DataSource that includes `AUTH_ENTITIES`. */
  constructor(readonly dataSource: DataSource) {
    this.serialized = SINGLE_CONNECTION.has(dataSource.options.type);
  }

  /** Runs a write; on single-connection drivers, one at a time per DataSource. */
  private write<T>(work: () => Promise<T>): Promise<T> {
    if (!this.serialized) return this.guard(work);
    const previous = writeQueues.get(this.dataSource) ?? Promise.resolve();
    const run = previous.then(
      () => this.guard(work),
      () => this.guard(work),
    );
    writeQueues.set(
      this.dataSource,
      run.catch(() => undefined),
    );
    return run;
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (error instanceof AuthError) throw error;
        if (attempt < 3 && isRetryable(error)) continue;
        throw new AuthUnavailableError({ cause: error });
      }
    }
  }

  /** Records a new session and its first tokens in one transaction. */
  createSession(session: NewSession, tokens: readonly NewToken[]): Promise<void> {
    return this.write(() =>
      this.dataSource.transaction(async (manager) => {
        await manager.insert(AuthSessionEntity, {
          ...session,
          lastUsedAt: session.createdAt,
          revokedAt: null,
        });
        await this.insertTokens(manager, tokens);
      }),
    );
  }

  /** Adds tokens to a session if it is live and the user's; `false` otherwise. */
  addTokens(
    sessionId: string,
    userId: string,
    tokens: readonly NewToken[],
    now: number,
  ): Promise<boolean> {
    return this.write(() =>
      this.dataSource.transaction(async (manager) => {
        const touched = await manager.update(
          AuthSessionEntity,
          { id: sessionId, userId, revokedAt: IsNull(), expiresAt: MoreThan(now) },
          { lastUsedAt: now },
        );
        if (touched.affected !== 1) return false;
        await this.insertTokens(manager, tokens);
        return true;
      }),
    );
  }

  private async insertTokens(manager: EntityManager, tokens: readonly NewToken[]): Promise<void> {
    if (tokens.length === 0) return;
    await manager.insert(
      AuthTokenEntity,
      tokens.map((t) => ({ ...t, revokedAt: null, replacedBy: null })),
    );
  }

  private sql(): string {
    if (this.lookupSql === undefined) {
      const [sql] = this.dataSource
        .createQueryBuilder(AuthTokenEntity, 't')
        .innerJoin(AuthSessionEntity, 's', 's.id = t.sessionId')
        .select('t.userId', 'userId')
        .addSelect('t.sessionId', 'sessionId')
        .addSelect('t.type', 'type')
        .addSelect('t.expiresAt', 'expiresAt')
        .addSelect('t.revokedAt', 'revokedAt')
        .addSelect('t.replacedBy', 'replacedBy')
        .addSelect('s.revokedAt', 'sessionRevokedAt')
        .addSelect('s.expiresAt', 'sessionExpiresAt')
        .where('t.jti = :jti', { jti: '' })
        .getQueryAndParameters();
      this.lookupSql = sql;
    }
    return this.lookupSql;
  }

  /**
   * On PostgreSQL the lookup runs as a named prepared statement straight on the driver's pool:
   * parsed and planned once per connection instead of on every request (the benchmark measured
   * the database's CPU per validation nearly halved). It is still logged through the
   * DataSource's logger. Elsewhere (and if the pool is not where TypeORM 0.3/1.x keeps it), it
   * goes through `DataSource.query`; SQLite and MySQL drivers cache prepared statements already.
   */
  private async runLookup(jti: string): Promise<RawLookup[]> {
    const sql = this.sql();
    const pool = (this.dataSource.driver as { master?: Partial<PreparingPool> }).master;
    if (this.dataSource.options.type !== 'postgres' || typeof pool?.query !== 'function') {
      return this.dataSource.query<RawLookup[]>(sql, [jti]);
    }
    this.statementName ??= `rca_lookup_${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`;
    this.dataSource.logger.logQuery(sql, [jti]);
    const result = await pool.query({ name: this.statementName, text: sql, values: [jti] });
    return result.rows;
  }

  /**
   * The one query of every validation: the token row by primary key, joined with its session by
   * primary key. `null` when the `jti` is unknown.
   */
  lookup(jti: string): Promise<LiveTokenRow | null> {
    return this.guard(async () => {
      const rows = await this.runLookup(jti);
      const row = rows[0];
      if (row === undefined) return null;
      return {
        userId: row.userId,
        sessionId: row.sessionId,
        type: row.type,
        expiresAt: num(row.expiresAt),
        revokedAt: numOrNull(row.revokedAt),
        replacedBy: row.replacedBy,
        sessionRevokedAt: numOrNull(row.sessionRevokedAt),
        sessionExpiresAt: num(row.sessionExpiresAt),
      };
    });
  }

  /**
   * Rotates a refresh token atomically: in one transaction, the old row is marked used (only if
   * it is still live, bound to this user and session, and unexpired), the session is checked live
   * and touched, and the new tokens are inserted. Of concurrent calls with one `jti`, exactly one
   * returns `true`: the conditional UPDATE lets only one through on every engine.
   */
  rotate(
    old: { jti: string; userId: string; sessionId: string },
    successor: string,
    tokens: readonly NewToken[],
    now: number,
  ): Promise<boolean> {
    return this.write(() =>
      this.dataSource.transaction(async (manager) => {
        const used = await manager.update(
          AuthTokenEntity,
          {
            jti: old.jti,
            userId: old.userId,
            sessionId: old.sessionId,
            type: 'refresh',
            revokedAt: IsNull(),
            expiresAt: MoreThan(now),
          },
          { revokedAt: now, replacedBy: successor },
        );
        if (used.affected !== 1) return false;
        const touched = await manager.update(
          AuthSessionEntity,
          { id: old.sessionId, revokedAt: IsNull(), expiresAt: MoreThan(now) },
          { lastUsedAt: now },
        );
        if (touched.affected !== 1) {
          // Roll back: the session died; nothing may be born from it.
          throw new SessionGoneSignal();
        }
        await this.insertTokens(manager, tokens);
        return true;
      }),
    ).catch((error: unknown) => {
      if (error instanceof AuthUnavailableError && error.cause instanceof SessionGoneSignal)
        return false;
      throw error;
    });
  }

  /** Revokes one token. `true` if it was live. */
  revokeToken(jti: string, now: number): Promise<boolean> {
    return this.write(async () => {
      const result = await this.dataSource.manager.update(
        AuthTokenEntity,
        { jti, revokedAt: IsNull() },
        { revokedAt: now },
      );
      return result.affected === 1;
    });
  }

  /** Revokes a session and all its tokens; with `userId`, only if it is that user's. `true` if it was live. */
  revokeSession(sessionId: string, now: number, userId?: string): Promise<boolean> {
    return this.write(() =>
      this.dataSource.transaction(async (manager) => {
        const owner = userId === undefined ? {} : { userId };
        const session = await manager.update(
          AuthSessionEntity,
          { id: sessionId, revokedAt: IsNull(), ...owner },
          { revokedAt: now },
        );
        if (session.affected !== 1) return false;
        await manager.update(
          AuthTokenEntity,
          { sessionId, revokedAt: IsNull() },
          { revokedAt: now },
        );
        return true;
      }),
    );
  }

  /** Revokes every session and token of a user. Returns how many sessions were live. */
  revokeUser(userId: string, now: number): Promise<number> {
    return this.write(() =>
      this.dataSource.transaction(async (manager) => {
        const sessions = await manager.update(
          AuthSessionEntity,
          { userId, revokedAt: IsNull() },
          { revokedAt: now },
        );
        await manager.update(AuthTokenEntity, { userId, revokedAt: IsNull() }, { revokedAt: now });
        return sessions.affected ?? 0;
      }),
    );
  }

  /** A user's live sessions, newest first. */
  listSessions(userId: string, now: number): Promise<AuthSessionEntity[]> {
    return this.guard(() =>
      this.dataSource.manager.find(AuthSessionEntity, {
        where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(now) },
        order: { createdAt: 'DESC' },
      }),
    );
  }

  /** Deletes tokens and sessions that expired before `before`. Returns the counts deleted. */
  purgeExpired(before: number): Promise<PurgeCounts> {
    return this.write(() =>
      this.dataSource.transaction(async (manager) => {
        const tokens = await manager
          .createQueryBuilder()
          .delete()
          .from(AuthTokenEntity)
          .where('expires_at < :before', { before })
          .execute();
        const sessions = await manager
          .createQueryBuilder()
          .delete()
          .from(AuthSessionEntity)
          .where('expires_at < :before', { before })
          .execute();
        return { tokens: tokens.affected ?? 0, sessions: sessions.affected ?? 0 };
      }),
    );
  }
}

/** Internal: aborts a rotation transaction whose session died meanwhile. */
class SessionGoneSignal extends Error {}
