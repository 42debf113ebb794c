import { AuthError } from './auth-error';
import { AuthUnavailableError } from './http-errors';

/** Driver codes of serialization failures, deadlocks and a busy SQLite file: worth another try. */
const RETRYABLE = new Set([
  '40001',
  '40P01',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'SQLITE_BUSY',
]);

/** Whether a database error is a transient conflict that a retry may clear. */
export function isRetryable(error: unknown): boolean {
  const code =
    (error as { code?: unknown; driverError?: { code?: unknown } } | null)?.driverError?.code ??
    (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/** Options of {@link failClosed}. */
export interface FailClosedOptions {
  /** Total attempts when the failure {@link isRetryable}. Default `1` (no retry). */
  attempts?: number;
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
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AuthError) throw error;
      if (attempt < attempts && isRetryable(error)) continue;
      throw new AuthUnavailableError({ cause: error });
    }
  }
}
