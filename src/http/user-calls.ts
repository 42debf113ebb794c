import { failClosed } from '../errors/fail-closed';

/**
 * Runs a call into the user's `BaseUserAuthentication` (which usually queries the database).
 * A failure there that is not one of ours fails closed as 503 `auth_unavailable` — the user is
 * unknown, so nothing may be let through — instead of a bare 500; the cause is kept for logs.
 */
export function userCall<T>(work: () => T | Promise<T>): Promise<T> {
  return failClosed(work);
}
