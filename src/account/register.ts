import type { ClientInfo, FlowDeps } from '../flows/deps';
import { assertHashablePassword } from '../passwords/policy';
import { RegisterBody } from './dto';
import { EmailTakenError } from './errors';
import { readBody } from './read-body';
import {
  bridgeMethod,
  bridgeWrite,
  findByExactEmail,
  isAddressTaken,
  lookAlikeOwner,
  mail,
  publicUser,
  subjectOf,
} from './support';

/** What a registration answers: the new user (201), or nothing (202, enumeration-safe mode). */
export type RegisterOutcome = Record<string, unknown> | null;

/**
 * A taken address → 409 `email_taken`, each such answer charged to the account-flow throttle (per
 * address, per address and IP, per IP; 429 past a limit, before the lookup), so one IP cannot probe
 * addresses without bound. A free address is not charged.
 */
async function refuseTaken<User>(
  deps: FlowDeps<User>,
  email: string,
  client: ClientInfo,
): Promise<void> {
  const attempt = await deps.accountThrottle?.reserve(email, client.ip ?? 'unknown');
  let taken: boolean;
  try {
    taken = await isAddressTaken(deps, email);
  } catch (error) {
    await attempt?.abandon();
    throw error;
  }
  if (!taken) return attempt?.abandon();
  attempt?.failed();
  throw new EmailTakenError();
}

/**
 * Registration: `{ email, password }` (whitelisted: roles, permissions, active and verified
 * fields are dropped), the address trimmed and lower-cased, the password hashed with the setup's
 * hasher; the bridge's `createUser` makes an active, unverified user and the database's unique
 * index decides a race. An address already registered (in any case), or a look-alike that folds
 * to one (`alicé@…` for `alice@…`, see `foldIdentifier`) → 409 `email_taken`, counted by the
 * account-flow throttle — or, with `enumerationSafeRegistration`, the same empty answer as a
 * success (`null`: 202) and its owner is told by mail (`already-registered`). `onAfterRegister`
 * runs off the request path.
 */
export async function register<User>(
  deps: FlowDeps<User>,
  body: unknown,
  client: ClientInfo = {},
): Promise<RegisterOutcome> {
  const { email, password } = readBody(RegisterBody, body);
  assertHashablePassword(password);
  const create = bridgeMethod(deps, 'createUser');
  const safe = deps.config.enumerationSafeRegistration;
  const taken = (): EmailTakenError => new EmailTakenError();
  if (!safe) await refuseTaken(deps, email, client);
  // Hashed before the existence check in safe mode: both paths spend one bcrypt hash.
  const passwordHash = await deps.passwords.hash(password);
  if (safe) {
    const existing = await findByExactEmail(deps, email);
    if (existing !== null) {
      mail(deps, { to: email, kind: 'already-registered', userId: subjectOf(deps, existing) });
      return null;
    }
    // A look-alike of a registered address: nobody owns it to be told, nothing is created.
    if ((await lookAlikeOwner(deps, email)) !== null) return null;
  }
  let user: User;
  try {
    user = await bridgeWrite(() => create({ email, passwordHash }), taken);
  } catch (error) {
    if (!(safe && error instanceof EmailTakenError)) throw error;
    return null;
  }
  deps.background.run('onAfterRegister', () => deps.users.onAfterRegister(user, client));
  return safe ? null : publicUser(deps, user);
}
