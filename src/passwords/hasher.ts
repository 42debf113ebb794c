import {
  DEFAULT_BCRYPT_COST,
  HASH_PATTERN,
  hashPassword,
  needsRehash,
  verifyPassword,
} from './bcrypt';
import { ConcurrencyLimiter, defaultHashConcurrency } from './limiter';

/**
 * Password hashing bound to one configured cost, with a timing-safe check for login: when there
 * is no user (or no hash), it still spends one bcrypt compare against a dummy hash of the same
 * cost, so an unknown account takes as long as a wrong password.
 *
 * @example
 * ```ts
 * const hasher = new PasswordHasher(12);
 * const ok = await hasher.check(user?.passwordHash, password); // false when user is undefined
 * ```
 */
export class PasswordHasher {
  private dummy: Promise<string> | undefined;
  private readonly limiter: ConcurrencyLimiter;

  /**
   * @param cost - bcrypt cost. Default 12.
   * @param concurrency - bcrypt operations run at once; more wait their turn. Default: one fewer
   * than the machine's cores, at least 1, so hashing never takes every core from the event loop.
   */
  constructor(
    readonly cost: number = DEFAULT_BCRYPT_COST,
    concurrency: number = defaultHashConcurrency(),
  ) {
    this.limiter = new ConcurrencyLimiter(concurrency);
  }

  /** Hashes a password at this hasher's cost. */
  hash(password: string): Promise<string> {
    return this.limiter.run(() => hashPassword(password, this.cost));
  }

  /** Whether a stored hash is below this hasher's cost (or not bcrypt at all). */
  needsRehash(hash: string): boolean {
    return needsRehash(hash, this.cost);
  }

  /**
   * Verifies `password` against `hash`; with no usable hash, compares against a dummy hash of the same
   * cost and returns `false`. Always costs one bcrypt compare.
   */
  async check(hash: string | null | undefined, password: string): Promise<boolean> {
    if (typeof hash === 'string' && HASH_PATTERN.test(hash)) {
      return this.limiter.run(() => verifyPassword(password, hash));
    }
    this.dummy ??= this.hash('dummy-password-for-timing');
    const dummy = await this.dummy;
    await this.limiter.run(() => verifyPassword(password, dummy));
    return false;
  }
}
