import {
  IsNull,
  MoreThan,
  type DataSource,
  type EntityManager,
  type EntityTarget,
  type FindOptionsWhere,
  type ObjectLiteral,
} from 'typeorm';
import type { Invalidation } from '../../cache/events';
import { failClosed } from '../../errors/fail-closed';
import type { TokenType } from '../claims';
import { TokenLookup } from './lookup';
import type {
  LiveTokenRow,
  NewSession,
  NewToken,
  PurgeCounts,
  PurgeOptions,
  Rotation,
  RotationOutcome,
  StoredSession,
  StoreStatus,
  TokenStorePort,
} from './port';
import { DEFAULT_PURGE_BATCH_SIZE, purgeBatch, restAfter } from './purge';
import type { RevocationHook } from './revocations';
import { rotateIn } from './rotation';
import { claimsColumn, insertRows, insertTokens, revokeSessionIds, toStoredSession } from './rows';
import { AuthSessionEntity } from './session.entity';
import { AuthTokenEntity } from './token.entity';
import { commit, inTransaction, rollback, type Decision } from './transaction';
import { WriteQueue } from './write-queue';

/**
 * A store call that hits a serialization failure, a deadlock or a busy SQLite file is tried again:
 * at least 3 times, and for up to 5 s (another process may hold the file's write lock that long).
 */
const RETRY = { attempts: 3, retryForMs: 5_000 } as const;

/**
 * The {@link TokenStorePort} over a TypeORM DataSource (SQLite, PostgreSQL, MariaDB/MySQL). Every
 * call goes through `failClosed`: a database failure surfaces as `AuthUnavailableError` (503).
 * Ids are compared exactly on every engine: `jti` and `sid` are canonical lower-case UUIDs
 * (which a case-folding collation cannot confuse), and user ids, which are free-form, are
 * compared again in JavaScript after the query. Used by `TokenService`; exported for those who
 * need its rows directly.
 */
export class TokenStore implements TokenStorePort {
  private readonly lookups: TokenLookup;
  private readonly queue: WriteQueue;
  private readonly revocations: RevocationHook | undefined;

  /**
   * @param dataSource - an initialized DataSource that includes `AUTH_ENTITIES`.
   * @param options - `revocations`: told what each committed revocation killed (the validation
   *   cache's invalidation channel; set by `setupAuth`).
   */
  constructor(
    readonly dataSource: DataSource,
    options: { revocations?: RevocationHook } = {},
  ) {
    this.lookups = new TokenLookup(dataSource);
    this.queue = new WriteQueue(dataSource);
    this.revocations = options.revocations;
  }

  private read<T>(work: () => Promise<T>): Promise<T> {
    return failClosed(work, RETRY);
  }

  private write<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(() => failClosed(work, RETRY));
  }

  /**
   * A write transaction that may revoke: `work` lists what it killed in `died`. When it commits,
   * the revocation hook hears of it inside the transaction (before the commit) and after it —
   * also after a failed attempt that had meant to commit, since dropping cached entries is
   * always safe.
   */
  private revoking<T>(
    work: (manager: EntityManager, died: Invalidation[]) => Promise<Decision<T>>,
  ): Promise<T> {
    const hook = this.revocations;
    if (hook === undefined) {
      return this.write(() => inTransaction(this.dataSource, (manager) => work(manager, [])));
    }
    const announced: Invalidation[] = [];
    return this.write(() =>
      inTransaction(this.dataSource, async (manager) => {
        const died: Invalidation[] = [];
        const decision = await work(manager, died);
        if (decision.commit && died.length > 0) {
          announced.push(...died);
          await hook.inTransaction(manager, died);
        }
        return decision;
      }),
    ).finally(() => (announced.length > 0 ? hook.revoked(announced) : undefined));
  }

  /** {@inheritDoc TokenStorePort.createSession} */
  createSession(
    session: NewSession,
    tokens: readonly NewToken[],
    limit: { maxSessions: number; now: number },
  ): Promise<string[]> {
    return this.revoking(async (manager, died) => {
      let evicted: string[] = [];
      if (session.kind === 'login') {
        const live = (
          await manager.find(AuthSessionEntity, {
            select: { id: true, userId: true },
            where: {
              userId: session.userId,
              kind: 'login',
              revokedAt: IsNull(),
              expiresAt: MoreThan(limit.now),
            },
            order: { createdAt: 'ASC', id: 'ASC' },
          })
        ).filter((s) => s.userId === session.userId);
        // With this login the user holds live + 1: the oldest beyond the cap go (none under it).
        const over = Math.max(0, live.length + 1 - limit.maxSessions);
        evicted = live.slice(0, over).map((s) => s.id);
        await revokeSessionIds(manager, evicted, limit.now);
        died.push(...evicted.map((sid) => ({ kind: 'session' as const, sid })));
      }
      const { claims, ...columns } = session;
      await insertRows(manager, AuthSessionEntity, [
        {
          ...columns,
          claims: claimsColumn(claims),
          generation: 0,
          lastUsedAt: session.createdAt,
          revokedAt: null,
        },
      ]);
      await insertTokens(manager, tokens);
      return commit(evicted);
    });
  }

  /** {@inheritDoc TokenStorePort.addTokens} */
  addTokens(
    sessionId: string,
    userId: string,
    tokens: readonly NewToken[],
    now: number,
  ): Promise<boolean> {
    return this.write(() =>
      inTransaction(this.dataSource, async (manager) => {
        const owner = await manager.findOne(AuthSessionEntity, {
          select: { id: true, userId: true },
          where: { id: sessionId },
        });
        if (owner?.id !== sessionId || owner.userId !== userId) return rollback(false);
        const touched = await manager.update(
          AuthSessionEntity,
          { id: sessionId, revokedAt: IsNull(), expiresAt: MoreThan(now) },
          { lastUsedAt: now },
        );
        if (touched.affected !== 1) return rollback(false);
        await insertTokens(manager, tokens);
        return commit(true);
      }),
    );
  }

  /** {@inheritDoc TokenStorePort.lookup} */
  lookup(jti: string): Promise<LiveTokenRow | null> {
    return this.read(() => this.lookups.find(jti));
  }

  /** {@inheritDoc TokenStorePort.findSession} */
  findSession(sessionId: string): Promise<StoredSession | null> {
    return this.read(async () => {
      const entity = await this.dataSource.manager.findOneBy(AuthSessionEntity, { id: sessionId });
      return entity?.id === sessionId ? toStoredSession(entity) : null;
    });
  }

  /** {@inheritDoc TokenStorePort.rotate} */
  rotate(rotation: Rotation): Promise<RotationOutcome> {
    // The session's older generations die (their rows are deleted): its cached tokens go.
    return this.revoking(async (manager, died) => {
      const decision = await rotateIn(manager, rotation);
      if (decision.commit) died.push({ kind: 'session', sid: rotation.sessionId });
      return decision;
    });
  }

  /** {@inheritDoc TokenStorePort.consume} */
  consume(jti: string, type: TokenType, now: number): Promise<boolean> {
    return this.markRevoked(jti, now, { type, expiresAt: MoreThan(now) }, false);
  }

  /** {@inheritDoc TokenStorePort.revokeToken} */
  revokeToken(jti: string, now: number): Promise<boolean> {
    return this.markRevoked(jti, now, {}, true);
  }

  /**
   * Revokes the live row of exactly `jti`: the primary key is unique under the column's
   * collation, so at most one row can match, and its `jti` is checked in JavaScript first.
   * `announce`: whether the revocation is told to the hook (single-use tokens are never cached).
   */
  private markRevoked(
    jti: string,
    now: number,
    where: FindOptionsWhere<AuthTokenEntity>,
    announce: boolean,
  ): Promise<boolean> {
    return this.revoking(async (manager, died) => {
      const row = await manager.findOne(AuthTokenEntity, {
        select: { jti: true },
        where: { jti },
      });
      if (row?.jti !== jti) return rollback(false);
      const result = await manager.update(
        AuthTokenEntity,
        { ...where, jti, revokedAt: IsNull() },
        { revokedAt: now },
      );
      if (result.affected !== 1) return rollback(false);
      if (announce) died.push({ kind: 'token', jti });
      return commit(true);
    });
  }

  /** {@inheritDoc TokenStorePort.revokeSession} */
  revokeSession(sessionId: string, now: number, userId?: string): Promise<boolean> {
    return this.revoking(async (manager, died) => {
      const session = await manager.findOne(AuthSessionEntity, {
        select: { id: true, userId: true },
        where: { id: sessionId },
      });
      if (session?.id !== sessionId) return rollback(false);
      if (userId !== undefined && session.userId !== userId) return rollback(false);
      const revoked = await manager.update(
        AuthSessionEntity,
        { id: sessionId, revokedAt: IsNull() },
        { revokedAt: now },
      );
      if (revoked.affected !== 1) return rollback(false);
      await manager.update(AuthTokenEntity, { sessionId, revokedAt: IsNull() }, { revokedAt: now });
      died.push({ kind: 'session', sid: sessionId });
      return commit(true);
    });
  }

  /** {@inheritDoc TokenStorePort.revokeUser} */
  revokeUser(userId: string, now: number, options: { except?: string } = {}): Promise<number> {
    return this.revoking(async (manager, died) => {
      const sessions = (
        await manager.find(AuthSessionEntity, {
          select: { id: true, userId: true, kind: true },
          where: { userId, revokedAt: IsNull() },
        })
      ).filter((s) => s.userId === userId && s.id !== options.except);
      await revokeSessionIds(
        manager,
        sessions.map((s) => s.id),
        now,
      );
      if (sessions.length > 0) {
        const { except } = options;
        died.push(
          except === undefined
            ? { kind: 'user', sub: userId }
            : { kind: 'user', sub: userId, except },
        );
      }
      return commit(sessions.filter((s) => s.kind === 'login').length);
    });
  }

  /** {@inheritDoc TokenStorePort.listSessions} */
  listSessions(userId: string, now: number): Promise<StoredSession[]> {
    return this.read(async () => {
      const sessions = await this.dataSource.manager.find(AuthSessionEntity, {
        where: { userId, kind: 'login', revokedAt: IsNull(), expiresAt: MoreThan(now) },
        order: { createdAt: 'DESC', id: 'ASC' },
      });
      return sessions.filter((s) => s.userId === userId).map(toStoredSession);
    });
  }

  /**
   * {@inheritDoc TokenStorePort.purgeExpired}
   *
   * Tokens first, then sessions, each in batches of `batchSize` (default 250) rows, one short
   * transaction each, resting twice as long as a batch took before the next (so the purge keeps
   * the database at most a third of the time; the requests' queries get the rest). The revocation hook hears of the
   * purge once, with the first batch that deletes anything: its event names a time, not rows
   * (every cached entry that ends before `before`), so it covers what later batches delete.
   */
  async purgeExpired(before: number, options: PurgeOptions = {}): Promise<PurgeCounts> {
    const limit = options.batchSize ?? DEFAULT_PURGE_BATCH_SIZE;
    const counts = { tokens: 0, sessions: 0 };
    let announced = false;
    const purge = async <T extends ObjectLiteral>(
      entity: EntityTarget<T>,
      key: keyof T & string,
    ): Promise<number> => {
      let deleted = 0;
      for (;;) {
        if (options.signal?.aborted === true) return deleted;
        const started = performance.now();
        const batch = await this.revoking(async (manager, died) => {
          const done = await purgeBatch(manager, entity, key, { before, limit });
          if (done.deleted > 0 && !announced) died.push({ kind: 'expired', before });
          return commit(done);
        });
        deleted += batch.deleted;
        announced ||= batch.deleted > 0;
        if (batch.found < limit) return deleted;
        await restAfter(performance.now() - started);
      }
    };
    counts.tokens = await purge(AuthTokenEntity, 'jti');
    counts.sessions = await purge(AuthSessionEntity, 'id');
    return counts;
  }

  /** {@inheritDoc TokenStorePort.status} */
  status(): StoreStatus {
    return { type: this.dataSource.options.type, initialized: this.dataSource.isInitialized };
  }
}
