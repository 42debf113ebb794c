import { failClosed } from '../errors/fail-closed';
import type { ClientInfo, FlowDeps } from '../flows/deps';
import { assertHashablePassword } from '../passwords/policy';
import { EmailBody, ResetPasswordBody } from './dto';
import { InvalidResetTokenError } from './errors';
import { readBody } from './read-body';
import { bridgeMethod, chargeRequest, findByExactEmail, mail, subjectOf } from './support';
import { spendToken } from './tokens';

/**
 * Forgot password: `{ email }` → always the same empty answer (202). After the throttle (per
 * address and per IP, every request counted), the lookup, the reset token, the mail and
 * `onAfterForgotPassword` run off the request path. Only a registered, active address gets mail.
 */
export async function forgotPassword<User>(
  deps: FlowDeps<User>,
  body: unknown,
  client: ClientInfo = {},
): Promise<void> {
  const { email } = readBody(EmailBody, body);
  bridgeMethod(deps, 'findByEmail');
  bridgeMethod(deps, 'updateUser');
  await chargeRequest(deps, email, client);
  deps.background.run('forgot-password', async () => {
    const user = await findByExactEmail(deps, email);
    if (user === null || !(await failClosed(() => deps.users.isActive(user)))) return;
    const userId = subjectOf(deps, user);
    const token = await deps.tokens.createToken('reset', userId);
    mail(deps, { to: email, kind: 'reset', token, userId });
    await deps.users.onAfterForgotPassword(user, token);
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
