import bcrypt from 'bcrypt';
import { assertHashablePassword } from './policy';

/** Cost used when none is given: OWASP's recommended minimum for bcrypt in 2025. */
export const DEFAULT_BCRYPT_COST = 12;

/** @internal Shape of a bcrypt hash; group 1 is the cost. */
export const HASH_PATTERN = /^\$2[abxy]\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/**
 * Hashes a password with bcrypt on libuv's thread pool (never on the event loop).
 * Refuses passwords over 72 bytes, with a NUL byte or a lone surrogate (400 `password_policy`).
 *
 * @param cost - bcrypt cost factor. Default 12.
 * @example
 * ```ts
 * const hash = await hashPassword('correct horse battery staple');
 * ```
 */
export async function hashPassword(
  password: string,
  cost: number = DEFAULT_BCRYPT_COST,
): Promise<string> {
  assertHashablePassword(password);
  return bcrypt.hash(password, cost);
}

/**
 * Compares a password with a bcrypt hash in constant time (thread pool). Returns `false` for a
 * malformed hash instead of throwing; a password outside the policy throws 400 before any work.
 *
 * @example
 * ```ts
 * if (await verifyPassword(body.password, user.passwordHash)) { ... }
 * ```
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  assertHashablePassword(password);
  if (!HASH_PATTERN.test(hash)) return false;
  return bcrypt.compare(password, hash);
}

/**
 * Whether a stored hash should be replaced: not a bcrypt hash, or made with a lower cost than
 * the one configured now.
 *
 * @param cost - the cost currently configured. Default 12.
 */
export function needsRehash(hash: string, cost: number = DEFAULT_BCRYPT_COST): boolean {
  const stored = hashCost(hash);
  return stored === undefined || stored < cost;
}

/** @internal The cost a bcrypt hash was made with (4–31), or `undefined` if it is not one. */
export function hashCost(hash: string): number | undefined {
  const cost = Number(HASH_PATTERN.exec(hash)?.[1]);
  return cost >= 4 && cost <= 31 ? cost : undefined;
}
