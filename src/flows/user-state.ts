import { failClosed } from '../errors/fail-closed';
import { InactiveUserError } from '../errors/http-errors';
import type { FlowDeps } from './deps';

/**
 * The one rule for a token whose user is gone or deactivated, wherever it is presented (a
 * protected route, a refresh, a logout): every session of the user is revoked — so a later
 * reactivation does not revive old tokens — and the request answers 401 `user_inactive`.
 * With `mustBeActive` false (the `requireActive: false` option) only a deleted user is refused.
 */
export async function assertUsable<User>(
  deps: FlowDeps<User>,
  user: User | null,
  subject: string,
  mustBeActive: boolean = deps.config.requireActive,
): Promise<User> {
  if (user === null || (mustBeActive && !(await failClosed(() => deps.users.isActive(user))))) {
    await deps.tokens.revokeAllForUser(subject);
    throw new InactiveUserError();
  }
  return user;
}
