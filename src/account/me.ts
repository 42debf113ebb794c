import { failClosed } from '../errors/fail-closed';
import type { ClientInfo, FlowDeps } from '../flows/deps';
import { assertHashablePassword } from '../passwords/policy';
import type { TokenClaims } from '../tokens/claims';
import type { UpdatedFields, UserChanges } from '../users/base-user-authentication';
import { ChangePasswordBody, DeleteMeBody, UpdateMeBody } from './dto';
import { EmailTakenError } from './errors';
import { readBody } from './read-body';
import {
  bridgeMethod,
  bridgeWrite,
  checkOwnPassword,
  addressHolder,
  publicUser,
  storedEmail,
  subjectOf,
} from './support';
import { sendVerifyToken } from './verify';

/**
 * @internal Applies `changes` through the bridge (a unique violation on the address → 409
 * `email_taken`) and runs `onAfterUpdate` off the request path. A new address first revokes
 * every session of the user but `keepSession` — with every verify and reset token, all mailed to
 * the old address — BEFORE it is written, so none of them is live once the new address is.
 */
export async function applyChanges<User>(
  deps: FlowDeps<User>,
  user: User,
  changes: UserChanges,
  keepSession?: string,
): Promise<User> {
  const update = bridgeMethod(deps, 'updateUser');
  if (changes.email !== undefined) {
    // Taken by another account, or a look-alike of one (they would share its throttle counters).
    const other = await addressHolder(deps, changes.email);
    if (other !== null && subjectOf(deps, other) !== subjectOf(deps, user)) {
      throw new EmailTakenError();
    }
    await deps.tokens.revokeAllForUser(
      subjectOf(deps, user),
      keepSession === undefined ? {} : { except: keepSession },
    );
  }
  const updated = await bridgeWrite(
    () => update(user, changes),
    () => new EmailTakenError(),
  );
  // The hook hears that the password changed, never the hash.
  const { passwordHash, ...fields } = changes;
  const heard: UpdatedFields =
    passwordHash === undefined ? fields : { ...fields, passwordChanged: true };
  deps.background.run('onAfterUpdate', () => deps.users.onAfterUpdate(updated, heard));
  return updated;
}

/** @internal The changes an address change makes: the new address, verified no more. */
export async function emailChanges<User>(
  deps: FlowDeps<User>,
  user: User,
  email: string | undefined,
): Promise<UserChanges> {
  if (email === undefined) return {};
  const current = await storedEmail(deps, user);
  return email === current ? {} : { email, isVerified: false };
}

/**
 * Self-service update: `{ email? }` (roles, permissions, active, verified and password fields are
 * dropped). A changed address drops the verified flag, revokes every other session of the user
 * (with every verify and reset token mailed to the old address, before the new one is written)
 * and mails a verify token to the new one.
 */
export async function updateMe<User>(
  deps: FlowDeps<User>,
  claims: TokenClaims,
  user: User,
  body: unknown,
): Promise<Record<string, unknown>> {
  const input = readBody(UpdateMeBody, body);
  bridgeMethod(deps, 'updateUser');
  const changes = await emailChanges(deps, user, input.email);
  if (Object.keys(changes).length === 0) return publicUser(deps, user);
  const updated = await applyChanges(deps, user, changes, claims.sid);
  if (changes.email !== undefined) {
    // Again once the address is written: a login in flight may have started its session between
    // the two (a later one sees the new address in its stamp and drops its own).
    await deps.tokens.revokeAllForUser(claims.sub, { except: claims.sid });
    const email = changes.email;
    deps.background.run('verify after email change', () => sendVerifyToken(deps, updated, email));
  }
  return publicUser(deps, updated);
}

/**
 * Change password: `{ current_password, new_password }`. A wrong current password → 400
 * `invalid_password` (never 401: the token is fine), counted by the login throttle of the
 * account. The new hash is stored and every other session revoked (with every outstanding reset
 * token); the caller's session stays signed in with the tokens it holds (204).
 */
export async function changePassword<User>(
  deps: FlowDeps<User>,
  claims: TokenClaims,
  user: User,
  body: unknown,
  client: ClientInfo = {},
): Promise<void> {
  const input = readBody(ChangePasswordBody, body);
  assertHashablePassword(input.new_password);
  bridgeMethod(deps, 'updateUser');
  await checkOwnPassword(deps, user, input.current_password, client);
  const passwordHash = await deps.passwords.hash(input.new_password);
  await applyChanges(deps, user, { passwordHash });
  await deps.tokens.revokeAllForUser(claims.sub, { except: claims.sid });
}

/**
 * @internal Deletes a user: `onBeforeDelete` (on the path: it may refuse), every token revoked,
 * then the bridge's `deleteUser`; `onAfterDelete` off the path.
 */
export async function deleteAccount<User>(deps: FlowDeps<User>, user: User): Promise<void> {
  const remove = bridgeMethod(deps, 'deleteUser');
  await failClosed(() => deps.users.onBeforeDelete(user));
  await deps.tokens.revokeAllForUser(deps.users.getUserId(user));
  await failClosed(() => remove(user));
  deps.background.run('onAfterDelete', () => deps.users.onAfterDelete(user));
}

/**
 * Delete my account: `{ password }` → every token of the user dead, the user deleted. A wrong
 * password → 400 `invalid_password`, counted by the login throttle of the account.
 */
export async function deleteMe<User>(
  deps: FlowDeps<User>,
  user: User,
  body: unknown,
  client: ClientInfo = {},
): Promise<void> {
  const { password } = readBody(DeleteMeBody, body);
  bridgeMethod(deps, 'deleteUser');
  await checkOwnPassword(deps, user, password, client);
  await deleteAccount(deps, user);
}
