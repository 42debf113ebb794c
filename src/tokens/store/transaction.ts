import type { DataSource, EntityManager } from 'typeorm';

/** What a unit of work decides: keep its writes (`commit`) or undo them, and what to return. */
export interface Decision<T> {
  /** Whether to commit. */
  readonly commit: boolean;
  /** The result handed back either way. */
  readonly value: T;
}

/** Keep the writes and return `value`. */
export const commit = <T>(value: T): Decision<T> => ({ commit: true, value });
/** Undo the writes and return `value`: a refusal, not an error. */
export const rollback = <T>(value: T): Decision<T> => ({ commit: false, value });

/**
 * Runs `work` in a transaction on its own QueryRunner and commits or rolls back as it decides:
 * a refusal (a row no longer live) rolls back without an exception round trip. An error rolls
 * back too and is rethrown.
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<Decision<T>>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.startTransaction();
    const decision = await work(runner.manager);
    if (decision.commit) await runner.commitTransaction();
    else await runner.rollbackTransaction();
    return decision.value;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}
