import { failClosed } from '../errors/fail-closed';
import { InvalidCredentialsError } from '../errors/http-errors';
import type { TokenPair } from '../tokens/token-service';
import type { LoginCredentials } from '../users/base-user-authentication';
import { readCredentials } from './credentials';
import type { ClientInfo, FlowDeps } from './deps';

async function checkCredentials<User>(
  deps: FlowDeps<User>,
  credentials: LoginCredentials,
): Promise<User | null> {
  const { users } = deps;
  const user = await failClosed(() => users.authenticate(credentials));
  // Unknown user, wrong password and inactive account: one identical answer (null).
  if (user === null || !(await failClosed(() => users.isActive(user)))) return null;
  return user;
}

/**
 * Login: the credentials' shape is checked before any query or hash, the check runs under the
 * throttle, then the bridge's `onCredentialsAccepted` hook runs (the extension point between
 * "credentials accepted" and "tokens issued": throw an `AuthError` there to stop the login), then
 * a session and its token pair are issued with the bridge's extra claims.
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
  const { users, tokens, throttle } = deps;
  const check = () => checkCredentials(deps, credentials);
  const user =
    throttle === null
      ? await check()
      : await throttle.attempt(credentials.username, client.ip ?? 'unknown', check);
  if (user === null) throw new InvalidCredentialsError();
  await failClosed(() => users.onCredentialsAccepted(user, client));
  const pair = await tokens.createTokenPair(users.getUserId(user), {
    claims: await failClosed(() => users.getExtraClaims(user)),
    userAgent: client.userAgent ?? null,
    ip: client.ip ?? null,
  });
  deps.background.run('onAfterLogin', () => users.onAfterLogin(user, client));
  return pair;
}
