import { failClosed } from '../errors/fail-closed';
import type { AccessClaims, TokenClaims } from '../tokens/claims';
import type { FlowDeps } from './deps';

/** The verified identity behind an access token. */
export interface AuthContext<User = unknown> {
  /** Claims of the validated access token. */
  readonly claims: AccessClaims;
  /** The token's user, or `null` when the user no longer exists. */
  readonly user: User | null;
}

/**
 * Checks verified claims against the store and loads their user, side by side (two independent
 * round trips). When both fail, the answer does not depend on which promise rejects first: the
 * store's verdict wins (a revoked token is refused as revoked even while the user table is down),
 * then the bridge's.
 */
export async function loadIdentity<User>(
  deps: FlowDeps<User>,
  claims: TokenClaims,
): Promise<User | null> {
  const [stored, user] = await Promise.allSettled([
    deps.tokens.assertStored(claims),
    failClosed(() => deps.users.getUserById(claims.sub)),
  ]);
  if (stored.status === 'rejected') throw stored.reason;
  if (user.status === 'rejected') throw user.reason;
  return user.value ?? null;
}

/** Validates an access token (signature, claims, store) and loads its user. */
export async function identify<User>(
  deps: FlowDeps<User>,
  accessToken: string,
): Promise<AuthContext<User>> {
  const claims = deps.tokens.verify(accessToken, 'access');
  return { claims, user: await loadIdentity(deps, claims) };
}
