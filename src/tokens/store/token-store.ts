import { IsNull, MoreThan, type DataSource, type FindOptionsWhere } from 'typeorm';
import { failClosed } from '../../errors/fail-closed';
import type { TokenType } from '../claims';
import { TokenLookup } from './lookup';
import type {
  LiveTokenRow,
  NewSession,
  NewToken,
  PurgeCounts,
  Rotation,
  RotationOutcome,
  StoredSession,
  StoreStatus,
  TokenStorePort,
} from './port';
import { rotateIn } from './rotation';
import { claimsColumn, insertRows, insertTokens, revokeSessionIds, toStoredSession } from './rows';
import { AuthSessionEntity } from './session.entity';
import { AuthTokenEntity } from './token.entity';
import { commit, inTransaction, rollback } from './transaction';
import { WriteQueue } from './write-queue';

/** Attempts for a statement that hits a serialization failure, a deadlock or a busy file. */
const ATTEMPTS = 3;

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

  /** @param dataSource - an initialized DataSource that includes `AUTH_ENTITIES`. */
  constructor(readonly dataSource: DataSource) {
    this.lookups = new TokenLookup(dataSource);
    this.queue = new WriteQueue(dataSource);
  }

  private read<T>(work: () => Promise<T>): Promise<T> {
    return failClosed(work, { attempts: ATTEMPTS });
  }

  private write<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(() => failClosed(work, { attempts: ATTEMPTS }));
  }

  /** {@inheritDoc TokenStorePort.createSession} */
  createSession(
    session: NewSession,
    tokens: readonly NewToken[],
    limit: { maxSessions: number; now: number },
  ): Promise<string[]> {
    return this.write(() =>
      inTransaction(this.dataSource, async (manager) => {
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
          evicted = live.slice(0, live.length - limit.maxSessions + 1).map((s) => s.id);
          await revokeSessionIds(manager, evicted, limit.now);
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
      }),
    );
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
    return this.write(() =>
      inTransaction(this.dataSource, (manager) => rotateIn(manager, rotation)),
    );
  }

  /** {@inheritDoc TokenStorePort.consume} */
  consume(jti: string, type: TokenType, now: number): Promise<boolean> {
    return this.markRevoked(jti, now, { type, expiresAt: MoreThan(now) });
  }

  /** {@inheritDoc TokenStorePort.revokeToken} */
  revokeToken(jti: string, now: number): Promise<boolean> {
    return this.markRevoked(jti, now, {});
  }

  /**
   * Revokes the live row of exactly `jti`: the primary key is unique under the column's
   * collation, so at most one row can match, and its `jti` is checked in JavaScript first.
   */
  private markRevoked(
    jti: string,
    now: number,
    where: FindOptionsWhere<AuthTokenEntity>,
  ): Promise<boolean> {
    return this.write(() =>
      inTransaction(this.dataSource, async (manager) => {
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
        return result.affected === 1 ? commit(true) : rollback(false);
      }),
    );
  }

  /** {@inheritDoc TokenStorePort.revokeSession} */
  revokeSession(sessionId: string, now: number, userId?: string): Promise<boolean> {
    return this.write(() =>
      inTransaction(this.dataSource, async (manager) => {
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
        await manager.update(
          AuthTokenEntity,
          { sessionId, revokedAt: IsNull() },
          { revokedAt: now },
        );
        return commit(true);
      }),
    );
  }

  /** {@inheritDoc TokenStorePort.revokeUser} */
  revokeUser(userId: string, now: number, options: { except?: string } = {}): Promise<number> {
    return this.write(() =>
      inTransaction(this.dataSource, async (manager) => {
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
        return commit(sessions.filter((s) => s.kind === 'login').length);
      }),
    );
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

  /** {@inheritDoc TokenStorePort.purgeExpired} */
  purgeExpired(before: number): Promise<PurgeCounts> {
    return this.write(() =>
      inTransaction(this.dataSource, async (manager) => {
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
        return commit({ tokens: tokens.affected ?? 0, sessions: sessions.affected ?? 0 });
      }),
    );
  }

  /** {@inheritDoc TokenStorePort.status} */
  status(): StoreStatus {
    return { type: this.dataSource.options.type, initialized: this.dataSource.isInitialized };
  }
}
