import { failClosed } from '../errors/fail-closed';
import { InvalidCredentialsError } from '../errors/http-errors';
import type { TokenPair } from '../tokens/token-service';
import type { LoginCredentials } from '../users/base-user-authentication';
import { readCredentials } from './credentials';
import type { ClientInfo, FlowDeps } from './deps';

/** A user whose credentials were just accepted, with the stamp taken from what was checked. */
interface Accepted<User> {
  user: User;
  stamp: string;
}

async function checkCredentials<User>(
  deps: FlowDeps<User>,
  credentials: LoginCredentials,
): Promise<Accepted<User> | null> {
  const { users } = deps;
  const user = await failClosed(() => users.authenticate(credentials));
  // Unknown user, wrong password and inactive account: one identical answer (null).
  if (user === null || !(await failClosed(() => users.isActive(user)))) return null;
  return { user, stamp: await failClosed(() => users.getCredentialStamp(user)) };
}

/** Whether the user, read again, is still active with the credentials the login checked. */
async function stillAccepted<User>(
  deps: FlowDeps<User>,
  accepted: Accepted<User>,
): Promise<boolean> {
  const { users } = deps;
  const current = await failClosed(() => users.getUserById(String(users.getUserId(accepted.user))));
  if (current === null || current === undefined) return false;
  if (!(await failClosed(() => users.isActive(current)))) return false;
  return (await failClosed(() => users.getCredentialStamp(current))) === accepted.stamp;
}

/**
 * Starts the session of accepted credentials, then reads the user again: a reset, a password
 * change or an address change that committed while the login ran (its "revoke the sessions"
 * came before this session existed) changed the stamp, and the session is revoked (`null`).
 * A failure after the session started revokes it too.
 */
async function startSession<User>(
  deps: FlowDeps<User>,
  accepted: Accepted<User>,
  client: ClientInfo,
): Promise<TokenPair | null> {
  const { users, tokens } = deps;
  const { user } = accepted;
  await failClosed(() => users.onCredentialsAccepted(user, client));
  const subject = users.getUserId(user);
  const pair = await tokens.createTokenPair(subject, {
    claims: await failClosed(() => users.getExtraClaims(user)),
    userAgent: client.userAgent ?? null,
    ip: client.ip ?? null,
  });
  let kept = false;
  try {
    kept = await stillAccepted(deps, accepted);
  } finally {
    if (!kept) await tokens.revokeSession(pair.sessionId, subject);
  }
  return kept ? pair : null;
}

/**
 * Login: the credentials' shape is checked before any query or hash, then — under the throttle —
 * the credentials, the bridge's `onCredentialsAccepted` hook (the extension point between
 * "credentials accepted" and "tokens issued": throw an `AuthError` there to stop the login), a
 * session and its token pair with the bridge's extra claims, and a second read of the user: when
 * its `getCredentialStamp` changed since the check (or it is gone or inactive), the new session
 * is revoked and the login fails like wrong credentials.
 *
 * @throws 400 `invalid_request` / `password_policy` for a bad shape, 401 `invalid_credentials`,
 * 429 `too_many_requests`, 503 `auth_unavailable`.
 */
export async function login<User>(
  deps: FlowDeps<User>,
  input: unknown,
  client: ClientInfo = {},
): Promise<TokenPair> {
  const credentials = readCredentials(input);
  const { users, throttle } = deps;
  const attempt = async (): Promise<{ user: User; pair: TokenPair } | null> => {
    const accepted = await checkCredentials(deps, credentials);
    if (accepted === null) return null;
    const pair = await startSession(deps, accepted, client);
    return pair === null ? null : { user: accepted.user, pair };
  };
  const outcome =
    throttle === null
      ? await attempt()
      : await throttle.attempt(credentials.username, client.ip ?? 'unknown', attempt);
  if (outcome === null) throw new InvalidCredentialsError();
  const { user, pair } = outcome;
  deps.background.run('onAfterLogin', () => users.onAfterLogin(user, client));
  return pair;
}
