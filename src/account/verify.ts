import { failClosed } from '../errors/fail-closed';
import type { ClientInfo, FlowDeps } from '../flows/deps';
import { EmailBody, TokenBody } from './dto';
import { InvalidVerifyTokenError } from './errors';
import { readBody } from './read-body';
import {
  bridgeMethod,
  chargeRequest,
  findByExactEmail,
  mail,
  publicUser,
  subjectOf,
} from './support';
import { spendToken } from './tokens';

/** @internal Makes a verify token for the user, mails it to `email` and runs the hook (off the path). */
export async function sendVerifyToken<User>(
  deps: FlowDeps<User>,
  user: User,
  email: string,
): Promise<void> {
  const userId = subjectOf(deps, user);
  const token = await deps.tokens.createToken('verify', userId);
  mail(deps, { to: email, kind: 'verify', token, userId });
  await deps.users.onAfterRequestVerify(user, token);
}

/**
 * Request a verify token: `{ email }` → always the same empty answer (202), whatever the address.
 * After the throttle (per address and per IP, every request counted), everything else — the
 * lookup, the token, the mail, `onAfterRequestVerify` — runs off the request path, so a
 * registered address takes no longer. Only a registered, active, unverified address gets mail.
 */
export async function requestVerify<User>(
  deps: FlowDeps<User>,
  body: unknown,
  client: ClientInfo = {},
): Promise<void> {
  const { email } = readBody(EmailBody, body);
  bridgeMethod(deps, 'findByEmail');
  bridgeMethod(deps, 'updateUser');
  await chargeRequest(deps, email, client);
  deps.background.run('request-verify-token', async () => {
    const user = await findByExactEmail(deps, email);
    if (user === null) return;
    if (!(await failClosed(() => deps.users.isActive(user)))) return;
    if (await failClosed(() => deps.users.isVerified(user))) return;
    await sendVerifyToken(deps, user, email);
  });
}

/**
 * Verify: `{ token }` → the user, now verified. The token is spent atomically; a used, expired,
 * forged, foreign-purpose or malformed one → 400 `invalid_verify_token`. `onAfterVerify` runs off
 * the request path.
 */
export async function verify<User>(
  deps: FlowDeps<User>,
  body: unknown,
): Promise<Record<string, unknown>> {
  const { token } = readBody(TokenBody, body);
  const update = bridgeMethod(deps, 'updateUser');
  const spent = await spendToken(
    deps,
    token,
    'verify',
    (cause) => new InvalidVerifyTokenError({ cause }),
  );
  if (spent === null) throw new InvalidVerifyTokenError();
  const user = await failClosed(() => update(spent.user, { isVerified: true }));
  deps.background.run('onAfterVerify', () => deps.users.onAfterVerify(user));
  return publicUser(deps, user);
}
