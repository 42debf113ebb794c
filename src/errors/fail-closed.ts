import { AuthError } from './auth-error';
import { AuthUnavailableError } from './http-errors';

/** Driver codes of serialization failures and deadlocks: worth another try. */
const RETRYABLE = new Set(['40001', '40P01', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/**
 * Whether a database error is a transient conflict that a retry may clear: the codes above, or
 * SQLite's busy file (`SQLITE_BUSY`, `SQLITE_BUSY_SNAPSHOT`…: another process holds the write
 * lock; a transaction that has read gets it at once, whatever `busy_timeout` says).
 */
export function isRetryable(error: unknown): boolean {
  const code =
    (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.driverError?.code ??
    (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (RETRYABLE.has(code) || code.startsWith('SQLITE_BUSY'));
}

/** Options of {@link failClosed}. */
export interface FailClosedOptions {
  /** Total attempts when the failure {@link isRetryable}, at least. Default `1` (no retry). */
  attempts?: number;
  /**
   * Keep trying a retryable failure for this long (ms) even past `attempts`. Default `0`. Between
   * attempts the wait grows from 2 to 100 ms, jittered, and never blocks the event loop.
   */
  retryForMs?: number;
}

/**
 * Runs work that reaches outside the library (the token store, the user's bridge). The library's
 * own errors pass through unchanged; anything else — a driver error, a bug in a bridge method —
 * fails closed as 503 `auth_unavailable`, with the original kept as the (non-enumerable) cause
 * for the server log. Nothing is let through while the answer is unknown.
 */
export async function failClosed<T>(
  work: () => T | Promise<T>,
  options: FailClosedOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 1;
  const deadline = Date.now() + (options.retryForMs ?? 0);
  for (let attempt = 1, waitMs = 2; ; attempt++, waitMs = Math.min(waitMs * 2, 100)) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AuthError) throw error;
      const again = attempt < attempts || Date.now() + waitMs <= deadline;
      if (!again || !isRetryable(error)) throw new AuthUnavailableError({ cause: error });
      // Another process's write, a deadlock's winner: let it finish (immediate retries met the
      // same lock again — pen test, two servers on one SQLite file: 503 and a session left alive).
      await new Promise((resolve) => setTimeout(resolve, waitMs * (0.5 + Math.random())));
    }
  }
}
