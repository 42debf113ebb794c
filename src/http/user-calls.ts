import { AuthError } from '../errors/auth-error';
import { AuthUnavailableError } from '../errors/http-errors';

/**
 * Runs a call into the user's `BaseUserAuthentication` (which usually queries the database).
 * A failure there that is not one of ours fails closed as 503 `auth_unavailable` — the user is
 * unknown, so nothing may be let through — instead of a bare 500; the cause is kept for logs.
 */
export async function userCall<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw new AuthUnavailableError({ cause: error });
  }
}
