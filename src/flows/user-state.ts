import { failClosed } from '../errors/fail-closed';
import { InactiveUserError } from '../errors/http-errors';
import type { FlowDeps } from './deps';

/**
 * The one rule for a token whose user is gone or deactivated, wherever it is presented (a
 * protected route, a refresh, a logout): every session of the user is revoked — so a later
 * reactivation does not revive old tokens — and the request answers 401 `user_inactive`.
 * With `mustBeActive` false (the `requireActive: false` option) only a deleted user is refused.
 * `assertTokenLive`, for a token whose store row was not checked yet (a refresh token), runs
 * first on that path: a token already revoked answers as revoked (`token_revoked`), as it does
 * on every other route, and only a live one gets `user_inactive`.
 */
export async function assertUsable<User>(
  deps: FlowDeps<User>,
  user: User | null,
  subject: string,
  mustBeActive: boolean = deps.config.requireActive,
  assertTokenLive?: () => Promise<void>,
): Promise<User> {
  if (user === null || (mustBeActive && !(await failClosed(() => deps.users.isActive(user))))) {
    await assertTokenLive?.();
    await deps.tokens.revokeAllForUser(subject);
    throw new InactiveUserError();
  }
  return user;
}
