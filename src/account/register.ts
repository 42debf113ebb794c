import type { ClientInfo, FlowDeps } from '../flows/deps';
import { assertHashablePassword } from '../passwords/policy';
import { RegisterBody } from './dto';
import { EmailTakenError } from './errors';
import { readBody } from './read-body';
import {
  bridgeMethod,
  bridgeWrite,
  findByExactEmail,
  mail,
  publicUser,
  subjectOf,
} from './support';

/** What a registration answers: the new user (201), or nothing (202, enumeration-safe mode). */
export type RegisterOutcome = Record<string, unknown> | null;

/**
 * Registration: `{ email, password }` (whitelisted: roles, permissions, active and verified
 * fields are dropped), the address trimmed and lower-cased, the password hashed with the setup's
 * hasher; the bridge's `createUser` makes an active, unverified user and the database's unique
 * index decides a race. An address already registered (in any case) → 409 `email_taken` — or,
 * with `enumerationSafeRegistration`, the same empty answer as a success (`null`: 202) and its
 * owner is told by mail (`already-registered`). `onAfterRegister` runs off the request path.
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
  if (!safe && (await findByExactEmail(deps, email)) !== null) throw taken();
  // Hashed before the existence check in safe mode: both paths spend one bcrypt hash.
  const passwordHash = await deps.passwords.hash(password);
  if (safe) {
    const existing = await findByExactEmail(deps, email);
    if (existing !== null) {
      mail(deps, { to: email, kind: 'already-registered', userId: subjectOf(deps, existing) });
      return null;
    }
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
