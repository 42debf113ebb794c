import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { deleteByKey } from './rows';

/**
 * Rows of one table a purge deletes per transaction when the caller names no batch size. Small,
 * because a batch's length is what a request that meets it waits: in the bench (1M expired rows,
 * PostgreSQL, 2 shared cores) /users/me p99 rose 1.3× at 250 rows and up to 1.8× at 1000, and
 * 1M rows still took about two minutes.
 */
export const DEFAULT_PURGE_BATCH_SIZE = 250;

/** What one batch found expired and how many of those rows it deleted. */
export interface PurgedBatch {
  /** Expired rows found (at most the batch size): fewer means the table holds no more. */
  readonly found: number;
  /** Rows deleted (fewer than found when another transaction deleted some first). */
  readonly deleted: number;
}

/**
 * Drivers whose SQL takes a `LIMIT` inside an `IN (…)` subquery: there a batch is one `DELETE`
 * statement, the database picking its rows itself.
 */
const ONE_STATEMENT = new Set(['postgres', 'better-sqlite3', 'sqlite']);

/**
 * One batch of a purge, inside its transaction: at most `limit` rows that expired before
 * `before`, oldest first (a range on the `expires_at` index, which skips the rows earlier batches
 * deleted).
 *
 * On PostgreSQL and SQLite it is one statement, `DELETE … WHERE key IN (SELECT key … ORDER BY
 * expires_at LIMIT n)`: no keys travel to the process and back, and the transaction is not left
 * waiting on the event loop between a SELECT and its DELETE (the bench measured that round trip
 * as a third of a batch's time, issue 12). Elsewhere (MariaDB/MySQL have no `LIMIT` in an `IN`
 * subquery) the keys are selected first and deleted by primary key, which also keeps MariaDB to
 * record locks, without locks on the gaps of the range that inserts would wait on.
 */
export async function purgeBatch<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  key: keyof T & string,
  spec: { before: number; limit: number },
): Promise<PurgedBatch> {
  const oldest = manager
    .createQueryBuilder(entity, 'r')
    .select(`r.${key}`, 'id')
    .where('r.expiresAt < :before', { before: spec.before })
    .orderBy('r.expiresAt', 'ASC')
    .limit(spec.limit);
  const type = manager.dataSource.options.type;
  if (ONE_STATEMENT.has(type)) {
    const column = manager.dataSource.getMetadata(entity).findColumnWithPropertyName(key);
    if (column === undefined) throw new Error(`purge: ${key} is not a column`);
    const name = manager.dataSource.driver.escape(column.databaseName);
    // PostgreSQL: `= ANY(ARRAY(…))` is planned as a primary-key scan for the array (an index or
    // bitmap heap scan: key or block order), so two purges at once (two instances) lock the rows
    // they share in one order and wait instead of deadlocking; an `IN (…)` is planned as a hash
    // of the keys, whose order differs between two sets of rows.
    const rows = oldest.getQuery();
    const match = type === 'postgres' ? `${name} = ANY(ARRAY(${rows}))` : `${name} IN (${rows})`;
    const result = await manager
      .createQueryBuilder()
      .delete()
      .from(entity)
      .where(match)
      .setParameters(oldest.getParameters())
      .execute();
    const deleted = result.affected ?? 0;
    return { found: deleted, deleted };
  }
  const ids = (await oldest.getRawMany<{ id: string }>()).map((row) => row.id);
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
