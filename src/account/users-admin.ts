import { failClosed } from '../errors/fail-closed';
import type { FlowDeps } from '../flows/deps';
import { AdminUpdateBody } from './dto';
import { UserNotFoundError } from './errors';
import { readBody } from './read-body';
import { applyChanges, deleteAccount, emailChanges } from './me';
import { publicUser } from './support';

/** Longest id looked up (integer ids and UUIDs are far shorter). */
const MAX_USER_ID = 64;

async function load<User>(deps: FlowDeps<User>, rawId: unknown): Promise<User> {
  // The bridge's getUserById answers null for an id that is not one of its ids.
  if (typeof rawId !== 'string' || rawId === '' || rawId.length > MAX_USER_ID) {
    throw new UserNotFoundError();
  }
  const user = await failClosed(() => deps.users.getUserById(rawId));
  if (user === null || user === undefined) throw new UserNotFoundError();
  return user;
}

/** A user by id → its public form; unknown or malformed id → 404 `user_not_found`. */
export async function getUser<User>(
  deps: FlowDeps<User>,
  rawId: unknown,
): Promise<Record<string, unknown>> {
  return publicUser(deps, await load(deps, rawId));
}

/**
 * Admin update: `{ email?, isActive?, isVerified?, roles? }`. Deactivation revokes every session
 * of the user at once (their next request is 401), an address change drops the verified flag
 * unless `isVerified` is given and, before the new address is written, revokes every session and
 * every verify and reset token of the user (they were mailed to the old address).
 */
export async function updateUser<User>(
  deps: FlowDeps<User>,
  rawId: unknown,
  body: unknown,
): Promise<Record<string, unknown>> {
  const input = readBody(AdminUpdateBody, body);
  const user = await load(deps, rawId);
  const changes = {
    ...(await emailChanges(deps, user, input.email)),
    ...(input.isActive === undefined ? {} : { isActive: input.isActive }),
    ...(input.isVerified === undefined ? {} : { isVerified: input.isVerified }),
    ...(input.roles === undefined ? {} : { roles: input.roles }),
  };
  if (Object.keys(changes).length === 0) return publicUser(deps, user);
  const updated = await applyChanges(deps, user, changes);
  if (changes.isActive === false) await deps.tokens.revokeAllForUser(deps.users.getUserId(user));
  return publicUser(deps, updated);
}

/** Admin delete: every token of the user dead, the user deleted; unknown id → 404. */
export async function deleteUser<User>(deps: FlowDeps<User>, rawId: unknown): Promise<void> {
  await deleteAccount(deps, await load(deps, rawId));
}
