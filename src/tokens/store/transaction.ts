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

/** How long a SQLite transaction is tried again while another connection holds the write lock. */
export const SQLITE_BUSY_RETRY_MS = 5_000;

/**
 * SQLite's "database is locked" (`SQLITE_BUSY`, `SQLITE_BUSY_SNAPSHOT`…): another connection —
 * another process on the file — holds the write lock. A transaction that has already read cannot
 * wait for it (SQLite answers at once, whatever `busy_timeout` says), so it is tried again whole.
 */
function isSqliteBusy(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Runs `work` in a transaction on its own QueryRunner and commits or rolls back as it decides:
 * a refusal (a row no longer live) rolls back without an exception round trip. An error rolls
 * back too and is rethrown — except SQLite's busy answer, on which the whole transaction (rolled
 * back) runs again after a short, growing, jittered wait, for up to {@link SQLITE_BUSY_RETRY_MS}:
 * without it, a logout or a replay detection that met another process's write failed and left
 * the session alive (pen test, two servers on one file).
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<Decision<T>>,
): Promise<T> {
  const deadline = Date.now() + SQLITE_BUSY_RETRY_MS;
  for (let waitMs = 2; ; waitMs = Math.min(waitMs * 2, 100)) {
    try {
      return await once(dataSource, work);
    } catch (error) {
      if (!isSqliteBusy(error) || Date.now() + waitMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, waitMs * (0.5 + Math.random())));
    }
  }
}

async function once<T>(
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
