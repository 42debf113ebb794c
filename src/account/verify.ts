import { failClosed } from '../errors/fail-closed';
import type { ClientInfo, FlowDeps } from '../flows/deps';
import { TokenBody } from './dto';
import { requestByEmail, sendToken, type EmailedToken } from './emailed-token';
import { InvalidVerifyTokenError } from './errors';
import { readBody } from './read-body';
import { bridgeMethod, publicUser } from './support';
import { addressIsBound, spendToken } from './tokens';

/** The verify mail: its token purpose and the hook that sees the token. */
function verifyMail<User>(deps: FlowDeps<User>): EmailedToken<User> {
  return { kind: 'verify', hook: (user, token) => deps.users.onAfterRequestVerify(user, token) };
}

/** @internal Makes a verify token for the user, mails it to `email` and runs the hook. */
export function sendVerifyToken<User>(
  deps: FlowDeps<User>,
  user: User,
  email: string,
): Promise<void> {
  return sendToken(deps, user, email, verifyMail(deps));
}

/**
 * Request a verify token: `{ email }` → always the same empty answer (202), whatever the address.
 * After the throttle (per address and per IP, every request counted), everything else — the
 * lookup, the token, the mail, `onAfterRequestVerify` — runs off the request path, so a
 * registered address takes no longer. Only a registered, active, unverified address gets mail.
 */
export function requestVerify<User>(
  deps: FlowDeps<User>,
  body: unknown,
  client: ClientInfo = {},
): Promise<void> {
  const { users } = deps;
  const eligible = async (user: User): Promise<boolean> =>
    (await failClosed(() => users.isActive(user))) &&
    !(await failClosed(() => users.isVerified(user)));
  return requestByEmail(deps, body, client, {
    task: 'request-verify-token',
    eligible,
    ...verifyMail(deps),
  });
}

/**
 * Verify: `{ token }` → the user, now verified. The token is spent atomically first; a used,
 * expired, forged, foreign-purpose or malformed one, or one mailed to an address that is no longer
 * the user's → 400 `invalid_verify_token`. After the flag is set the user is read again: if the
 * address changed meanwhile, the flag is set back and the answer is the same 400 (the new address
 * was never proven). `onAfterVerify` runs off the request path.
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
  const now = await failClosed(() => deps.users.getUserById(spent.claims.sub));
  if (now === null || !(await addressIsBound(deps, spent.claims, now))) {
    if (now !== null) await failClosed(() => update(now, { isVerified: false }));
    throw new InvalidVerifyTokenError();
  }
  deps.background.run('onAfterVerify', () => deps.users.onAfterVerify(user));
  return publicUser(deps, user);
}
