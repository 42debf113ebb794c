import { QueryFailedError } from 'typeorm';
import { AuthError } from '../errors/auth-error';
import { AuthConfigError } from '../errors/config-error';
import { failClosed } from '../errors/fail-closed';
import type { ClientInfo, FlowDeps } from '../flows/deps';
import { foldIdentifier } from '../throttle/keys';
import { InvalidPasswordError } from './errors';
import type { AccountMail } from './mailer';

/** The optional bridge methods an account route may need. */
export type AccountBridgeMethod = 'findByEmail' | 'createUser' | 'updateUser' | 'deleteUser';

/** @internal A required bridge method, bound; a clear configuration error when it is missing. */
export function bridgeMethod<User, M extends AccountBridgeMethod>(
  deps: FlowDeps<User>,
  name: M,
): NonNullable<FlowDeps<User>['users'][M]> {
  const method = deps.users[name];
  if (typeof method !== 'function') {
    throw new AuthConfigError(
      'userAuthentication',
      `this account route needs ${deps.users.constructor.name}.${name}(): implement it, or do not mount the controller (auth.accountControllers lists only those whose methods exist).`,
    );
  }
  return method.bind(deps.users) as NonNullable<FlowDeps<User>['users'][M]>;
}

/**
 * @internal The user of an address, compared exactly: a case- or accent-insensitive collation
 * may find `alice@…` for `alicé@…`, and that row is not the address's own.
 */
export async function findByExactEmail<User>(
  deps: FlowDeps<User>,
  email: string,
): Promise<User | null> {
  const find = bridgeMethod(deps, 'findByEmail');
  const found = await failClosed(() => find(email));
  if (found === null || found === undefined) return null;
  return (await storedEmail(deps, found)) === email ? found : null;
}

/**
 * @internal The address the bridge's `getEmail` gives for a user it found, or `null`. Anything but
 * a string answers as no address — the HTTP answer stays the one every address gets — and the
 * setup warns once: the default `getEmail` reads `user.email`, and a model that keeps the address
 * elsewhere (`mail`) otherwise gets no mail and no word about it.
 */
export async function storedEmail<User>(deps: FlowDeps<User>, user: User): Promise<string | null> {
  const email: unknown = await failClosed(() => deps.users.getEmail(user));
  if (typeof email === 'string') return email;
  const bridge = deps.users.constructor.name;
  deps.warnings.once(
    'getEmail',
    `${bridge}.getEmail(user) gave ${email === null ? 'null' : typeof email} for a user your bridge found, ` +
      'so the account routes treat that user as having no address: no verify or reset mail is sent, ' +
      'and password checks on /users/me fail. The default getEmail reads user.email: override ' +
      'getEmail(user) to return the address your model stores (e.g. user.mail).',
  );
  return null;
}

/**
 * @internal The account a new address is a look-alike of: for an address that is not its own fold
 * (`alicé@…`, fullwidth `ａlice@…`), the user whose address is that fold — the two would share
 * login-throttle counters. `null` for an address that is its own fold (no lookup then).
 */
export async function lookAlikeOwner<User>(
  deps: FlowDeps<User>,
  email: string,
): Promise<User | null> {
  const fold = (deps.config.throttle?.foldIdentifier ?? foldIdentifier)(email);
  return fold === email ? null : findByExactEmail(deps, fold);
}

/** @internal Who holds a new address: the account with it, or the one it is a look-alike of. */
export async function addressHolder<User>(
  deps: FlowDeps<User>,
  email: string,
): Promise<User | null> {
  return (await findByExactEmail(deps, email)) ?? (await lookAlikeOwner(deps, email));
}

/** @internal Whether a new address is taken: by an account of its own or as a look-alike. */
export async function isAddressTaken<User>(deps: FlowDeps<User>, email: string): Promise<boolean> {
  return (await addressHolder(deps, email)) !== null;
}

/** @internal The user as the routes answer with it. */
export function publicUser<User>(
  deps: FlowDeps<User>,
  user: User,
): Promise<Record<string, unknown>> {
  return failClosed(() => deps.users.toPublicUser(user));
}

/** @internal The user's id as tokens carry it. */
export function subjectOf<User>(deps: FlowDeps<User>, user: User): string {
  return String(deps.users.getUserId(user));
}

/** @internal Sends a message off the request path (nothing without a mailer). */
export function mail<User>(deps: FlowDeps<User>, message: AccountMail): void {
  const { mailer } = deps;
  if (mailer === null) return;
  deps.background.run(`mail (${message.kind})`, () => mailer.send(message));
}

/** @internal A unique-index violation, as each of the three drivers reports it. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code: unknown = (error.driverError as { code?: unknown } | undefined)?.code;
  return code === '23505' || code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * @internal Charges one request to the account-flow counters (per address, per address and IP,
 * per IP) whatever the outcome, so the answer never depends on whether the address exists.
 * 429 `too_many_requests` past a limit.
 */
export async function chargeRequest<User>(
  deps: FlowDeps<User>,
  identifier: string,
  client: ClientInfo,
): Promise<void> {
  if (deps.accountThrottle === null) return;
  const attempt = await deps.accountThrottle.reserve(identifier, client.ip ?? 'unknown');
  attempt.failed();
}

/**
 * @internal Checks the signed-in user's own password (change password, delete account) through
 * the bridge's `authenticate` with the user's address, under the login throttle (same counters as
 * a login of that account). Wrong → 400 `invalid_password`: the token is fine, so never 401.
 */
export async function checkOwnPassword<User>(
  deps: FlowDeps<User>,
  user: User,
  password: string,
  client: ClientInfo,
): Promise<void> {
  const { users, throttle } = deps;
  const email = await storedEmail(deps, user);
  if (email === null) throw new InvalidPasswordError();
  const id = subjectOf(deps, user);
  const check = async (): Promise<User | null> => {
    const found = await failClosed(() => users.authenticate({ username: email, password }));
    return found !== null && subjectOf(deps, found) === id ? found : null;
  };
  const ok =
    throttle === null
      ? await check()
      : await throttle.attempt(email, client.ip ?? 'unknown', check);
  if (ok === null) throw new InvalidPasswordError();
}

/** @internal Runs a bridge write; a unique violation becomes `known()`, other failures 503. */
export async function bridgeWrite<T>(work: () => Promise<T>, known: () => AuthError): Promise<T> {
  try {
    return await failClosed(work);
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (isUniqueViolation(error) || isUniqueViolation(cause)) throw known();
    throw error;
  }
}
