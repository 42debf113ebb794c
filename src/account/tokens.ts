import { AuthError } from '../errors/auth-error';
import { failClosed } from '../errors/fail-closed';
import type { FlowDeps } from '../flows/deps';
import type { SingleUseClaims } from '../tokens/claims';

/**
 * @internal Consumes a single-use token of `type` (atomic: of concurrent uses exactly one wins)
 * and loads its user, who must still exist and be active. A used, expired, forged, foreign-purpose
 * or malformed token — or one whose user is gone — throws `refused()` (a 400 of the flow); a
 * store outage stays a 503.
 */
export async function spendToken<User>(
  deps: FlowDeps<User>,
  token: string,
  type: 'verify' | 'reset',
  refused: (cause?: unknown) => AuthError,
): Promise<{ claims: SingleUseClaims; user: User } | null> {
  let claims: SingleUseClaims;
  try {
    claims = await deps.tokens.consumeToken(token, type);
  } catch (error) {
    if (error instanceof AuthError && error.status === 401) return null;
    throw error;
  }
  const user = await failClosed(() => deps.users.getUserById(claims.sub));
  if (user === null || !(await failClosed(() => deps.users.isActive(user)))) {
    throw refused();
  }
  return { claims, user };
}
