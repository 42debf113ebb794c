import {
  In,
  IsNull,
  type EntityManager,
  type EntityTarget,
  type FindOptionsWhere,
  type ObjectLiteral,
  type QueryDeepPartialEntity,
} from 'typeorm';
import type { ClaimValue } from '../../users/base-user-authentication';
import type { NewToken, StoredSession } from './port';
import { AuthSessionEntity } from './session.entity';
import { AuthTokenEntity } from './token.entity';

/** Largest id list sent in one `IN (...)`. */
const CHUNK = 500;

/** Inserts token rows (live, not rotated). */
export async function insertTokens(
  manager: EntityManager,
  tokens: readonly NewToken[],
): Promise<void> {
  if (tokens.length === 0) return;
  await insertRows(
    manager,
    AuthTokenEntity,
    tokens.map((t) => ({ ...t, revokedAt: null, replacedBy: null })),
  );
}

/**
 * Inserts rows whose every column is given. TypeORM would otherwise read the columns that have
 * defaults back after the INSERT (one more SELECT on SQLite and MariaDB, which lack RETURNING).
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: QueryDeepPartialEntity<T>[],
): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(entity)
    .values(rows)
    .updateEntity(false)
    .execute();
}

/** Revokes sessions by id, and their live tokens. */
export async function revokeSessionIds(
  manager: EntityManager,
  ids: readonly string[],
  now: number,
): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    await manager.update(
      AuthSessionEntity,
      { id: In(chunk), revokedAt: IsNull() },
      { revokedAt: now },
    );
    await manager.update(
      AuthTokenEntity,
      { sessionId: In(chunk), revokedAt: IsNull() },
      { revokedAt: now },
    );
  }
}

/** Deletes token rows by `jti`. */
export async function deleteTokens(manager: EntityManager, jtis: readonly string[]): Promise<void> {
  await deleteByKey(manager, AuthTokenEntity, 'jti', jtis);
}

/**
 * Deletes rows by primary key, `CHUNK` ids a statement (so MariaDB takes record locks only, no
 * gap locks). Returns how many rows went.
 */
export async function deleteByKey<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  key: keyof T & string,
  ids: readonly string[],
): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const where = { [key]: In(ids.slice(i, i + CHUNK)) } as FindOptionsWhere<T>;
    deleted += (await manager.delete(entity, where)).affected ?? 0;
  }
  return deleted;
}

/** Claims as stored: JSON, or null when there are none. */
export function claimsColumn(claims: Readonly<Record<string, ClaimValue>>): string | null {
  return Object.keys(claims).length === 0 ? null : JSON.stringify(claims);
}

function parseClaims(text: string | null): Record<string, ClaimValue> {
  if (text === null || text === '') return {};
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, ClaimValue>)
    : {};
}

/** An entity as the port's {@link StoredSession}. */
export function toStoredSession(entity: AuthSessionEntity): StoredSession {
  return {
    id: entity.id,
    userId: entity.userId,
    kind: entity.kind,
    createdAt: entity.createdAt,
    lastUsedAt: entity.lastUsedAt,
    expiresAt: entity.expiresAt,
    revokedAt: entity.revokedAt,
    userAgent: entity.userAgent,
    ip: entity.ip,
    generation: entity.generation,
    refreshJti: entity.refreshJti,
    accessJti: entity.accessJti,
    claims: parseClaims(entity.claims),
  };
}
