import { AuthError } from '../errors/auth-error';
import { failClosed } from '../errors/fail-closed';
import type { FlowDeps } from '../flows/deps';
import { isBoundTo } from '../tokens/address';
import type { SingleUseClaims } from '../tokens/claims';

/**
 * @internal Consumes a single-use token of `type` (atomic: of concurrent uses exactly one wins)
 * and loads its user, who must still exist, be active and have the address the token was mailed
 * to ({@link isBoundTo}). A used, expired, forged, foreign-purpose or malformed token — or one
 * whose user is gone or has another address now — throws `refused()` (a 400 of the flow); a store
 * outage stays a 503. The token is spent first, so a refused one is dead too.
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
  if (!(await addressIsBound(deps, claims, user))) throw refused();
  return { claims, user };
}

/** @internal Whether the user's address now is the one the token was mailed to. */
export async function addressIsBound<User>(
  deps: FlowDeps<User>,
  claims: SingleUseClaims,
  user: User,
): Promise<boolean> {
  return isBoundTo(claims, await failClosed(() => deps.users.getEmail(user)));
}
