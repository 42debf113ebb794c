import type { ClientInfo, FlowDeps } from '../flows/deps';
import { EmailBody } from './dto';
import { readBody } from './read-body';
import { bridgeMethod, chargeRequest, findByExactEmail, mail, subjectOf } from './support';

/** @internal The single-use token a mail carries, and the hook that sees it once it is made. */
export interface EmailedToken<User> {
  /** Token purpose, also the mail's kind. */
  readonly kind: 'verify' | 'reset';
  /** `onAfterRequestVerify` or `onAfterForgotPassword` of the bridge. */
  readonly hook: (user: User, token: string) => void | Promise<void>;
}

/** @internal A request for an emailed token: the background task's name and who gets one. */
export interface EmailedTokenRequest<User> extends EmailedToken<User> {
  /** The background task's name, as a failure is logged. */
  readonly task: string;
  /** Whether the address's user gets the mail (active; for verify, not verified yet). */
  readonly eligible: (user: User) => Promise<boolean>;
}

/**
 * @internal Makes a token of `what.kind` for the user, bound to `email` (its `adr` claim: a use
 * is refused once the user's address is another), mails it there, then runs the hook.
 */
export async function sendToken<User>(
  deps: FlowDeps<User>,
  user: User,
  email: string,
  what: EmailedToken<User>,
): Promise<void> {
  const userId = subjectOf(deps, user);
  const token = await deps.tokens.createToken(what.kind, userId, { address: email });
  mail(deps, { to: email, kind: what.kind, token, userId });
  await what.hook(user, token);
}

/**
 * @internal The shape of forgot-password and request-verify-token: `{ email }` read, the request
 * charged to the throttle (per address and per IP, whatever the outcome), and everything else —
 * the exact-address lookup, `what.eligible`, the token, the mail, the hook — off the request path,
 * so the answer is the same for every address.
 */
export async function requestByEmail<User>(
  deps: FlowDeps<User>,
  body: unknown,
  client: ClientInfo,
  what: EmailedTokenRequest<User>,
): Promise<void> {
  const { email } = readBody(EmailBody, body);
  bridgeMethod(deps, 'findByEmail');
  bridgeMethod(deps, 'updateUser');
  await chargeRequest(deps, email, client);
  deps.background.run(what.task, async () => {
    const user = await findByExactEmail(deps, email);
    if (user !== null && (await what.eligible(user))) await sendToken(deps, user, email, what);
  });
}
