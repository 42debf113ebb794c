import { failClosed } from '../errors/fail-closed';
import type { ClientInfo, FlowDeps } from '../flows/deps';
import { assertHashablePassword } from '../passwords/policy';
import { ResetPasswordBody } from './dto';
import { requestByEmail } from './emailed-token';
import { InvalidResetTokenError } from './errors';
import { readBody } from './read-body';
import { bridgeMethod } from './support';
import { spendToken } from './tokens';

/**
 * Forgot password: `{ email }` → always the same empty answer (202). After the throttle (per
 * address and per IP, every request counted), the lookup, the reset token, the mail and
 * `onAfterForgotPassword` run off the request path. Only a registered, active address gets mail.
 */
export function forgotPassword<User>(
  deps: FlowDeps<User>,
  body: unknown,
  client: ClientInfo = {},
): Promise<void> {
  const { users } = deps;
  return requestByEmail(deps, body, client, {
    task: 'forgot-password',
    eligible: (user) => failClosed(() => users.isActive(user)),
    kind: 'reset',
    hook: (user, token) => users.onAfterForgotPassword(user, token),
  });
}

/**
 * Reset password: `{ token, password }`. The password is checked first (a bad one does not spend
 * the token: 400 `validation_failed` / `password_policy`), then the token is spent atomically
 * (bad → 400 `invalid_reset_token`; failures are throttled per IP), the new hash stored, and
 * every session of the user revoked — with every other outstanding reset or verify token, so a
 * reset token issued before the password changed is dead. `onAfterResetPassword` runs off the
 * request path.
 */
export async function resetPassword<User>(
  deps: FlowDeps<User>,
  body: unknown,
  client: ClientInfo = {},
): Promise<void> {
  const { token, password } = readBody(ResetPasswordBody, body);
  assertHashablePassword(password);
  const update = bridgeMethod(deps, 'updateUser');
  const ip = client.ip ?? 'unknown';
  const spend = () =>
    spendToken(deps, token, 'reset', (cause) => new InvalidResetTokenError({ cause }));
  const throttle = deps.accountThrottle;
  const spent =
    throttle === null ? await spend() : await throttle.attempt(`reset-password:${ip}`, ip, spend);
  if (spent === null) throw new InvalidResetTokenError();
  const passwordHash = await deps.passwords.hash(password);
  const user = await failClosed(() => update(spent.user, { passwordHash }));
  await deps.tokens.revokeAllForUser(spent.claims.sub);
  deps.background.run('onAfterResetPassword', () => deps.users.onAfterResetPassword(user));
}
