import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { deleteByKey } from './rows';

/** Rows of one table a purge deletes per transaction when the caller names no batch size. */
export const DEFAULT_PURGE_BATCH_SIZE = 1000;

/** What one batch found expired and how many of those rows it deleted. */
export interface PurgedBatch {
  /** Expired rows found (at most the batch size): fewer means the table holds no more. */
  readonly found: number;
  /** Rows deleted (fewer than found when another transaction deleted some first). */
  readonly deleted: number;
}

/**
 * One batch of a purge, inside its transaction: the keys of at most `limit` rows that expired
 * before `before`, oldest first (a range on the `expires_at` index, which skips the rows earlier
 * batches deleted), then those rows by primary key. Portable: no `DELETE … LIMIT` (SQLite and
 * PostgreSQL lack it) and no `LIMIT` in an `IN` subquery (MariaDB lacks that), and MariaDB takes
 * record locks only, not locks on the gaps of the range that inserts would wait on.
 */
export async function purgeBatch<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  key: keyof T & string,
  spec: { before: number; limit: number },
): Promise<PurgedBatch> {
  const rows = await manager
    .createQueryBuilder(entity, 'r')
    .select(`r.${key}`, 'id')
    .where('r.expiresAt < :before', { before: spec.before })
    .orderBy('r.expiresAt', 'ASC')
    .limit(spec.limit)
    .getRawMany<{ id: string }>();
  const ids = rows.map((row) => row.id);
  return { found: ids.length, deleted: await deleteByKey(manager, entity, key, ids) };
}

/**
 * Time a purge rests after a batch, per unit of time the batch took: it keeps the database busy
 * with the purge at most 1 / (1 + this) of the time, so the requests' queries are not starved.
 */
export const REST_PER_BUSY = 2;

/**
 * Rests after a batch that took `busyMs`: the event loop runs what waits (requests, their
 * queries) and the database serves them, for `REST_PER_BUSY` times as long, before the next one.
 */
export function restAfter(busyMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.ceil(busyMs * REST_PER_BUSY)));
}
