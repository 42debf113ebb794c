import { DEFAULT_BCRYPT_COST, hashCost, needsRehash } from './bcrypt';
import { ConcurrencyLimiter, defaultHashConcurrency, defaultHashQueueLimit } from './limiter';
import { assertHashablePassword } from './policy';
import { bcryptBackend, DEFAULT_PASSWORD_NICE } from './workers';

const DUMMY_PASSWORD = 'dummy-password-for-timing';

/** Work done by a {@link PasswordHasher} so far, and its queue right now. */
export interface PasswordHasherStats {
  /** bcrypt hashes computed (new passwords, rehashes, the dummy hashes it keeps). */
  readonly hashes: number;
  /** bcrypt compares run. */
  readonly compares: number;
  /**
   * bcrypt work spent on compares, in key-expansion rounds: a compare at cost `c` is `2^c`.
   * Every login check spends exactly `2^cost` of them, whatever the account.
   */
  readonly compareRounds: number;
  /** Operations running now. */
  readonly running: number;
  /** Operations waiting for a slot now. */
  readonly queued: number;
  /** Operations refused with 503 `auth_busy` because the queue was full. */
  readonly shed: number;
}

/**
 * Password hashing bound to one configured cost, with a timing-safe check for login. Every
 * {@link PasswordHasher.check} spends the same bcrypt work — one compare at the configured cost —
 * whether the account is unknown (a compare against a dummy hash), has a hash at the configured
 * cost, or has a weaker legacy hash (its compare, then dummy compares that make up the rest).
 * At most `concurrency` operations run at once and `queueLimit` wait; the next is refused with
 * {@link AuthBusyError} (503 `auth_busy`, `Retry-After`) instead of waiting behind a storm. On
 * Linux the work runs on worker threads of a lower priority (`nice`, default 10), shared by the
 * process, so a storm takes the CPU the event loop leaves before the event loop's own.
 *
 * @example
 * ```ts
 * const hasher = new PasswordHasher(12);
 * const ok = await hasher.check(user?.passwordHash, password); // false when user is undefined
 * ```
 */
export class PasswordHasher {
  /** @internal The slots and queue that every hash and check of this hasher goes through. */
  readonly limiter: ConcurrencyLimiter;
  private readonly dummies = new Map<number, Promise<string>>();
  private hashes = 0;
  private compares = 0;
  private compareRounds = 0;

  /**
   * @param cost - bcrypt cost. Default 12.
   * @param concurrency - bcrypt operations run at once; more wait their turn. Default: one fewer
   * than the machine's cores, at least 1, so hashing never takes every core from the event loop.
   * @param queueLimit - operations allowed to wait for a slot; more are refused with 503
   * `auth_busy`. Default `8 × concurrency`.
   * @param nice - Linux nice value (0–19) of the threads that run bcrypt; `0` runs it on libuv's
   * pool at the process's own priority. Default `10`.
   */
  constructor(
    readonly cost: number = DEFAULT_BCRYPT_COST,
    concurrency: number = defaultHashConcurrency(),
    queueLimit: number = defaultHashQueueLimit(concurrency),
    readonly nice: number = DEFAULT_PASSWORD_NICE,
  ) {
    this.limiter = new ConcurrencyLimiter(concurrency, queueLimit);
  }

  /**
   * Hashes a password at this hasher's cost (policy first: 400 `password_policy`). Hashing
   * (registration, a password change) yields to login checks: it waits in a small lane of its own
   * and runs only when no login is waiting, so a flood of sign-ups cannot keep anyone from logging in.
   */
  async hash(password: string): Promise<string> {
    assertHashablePassword(password);
    return this.limiter.run(() => this.bcryptHash(password, this.cost), 'hash');
  }

  /** Whether a stored hash is below this hasher's cost (or not bcrypt at all). */
  needsRehash(hash: string): boolean {
    return needsRehash(hash, this.cost);
  }

  /**
   * Verifies `password` against `hash`; with no usable hash, compares against a dummy hash of
   * the configured cost and returns `false`. A wrong password on a hash weaker than the
   * configured cost is followed by dummy compares at costs `stored … cost − 1`, so the work adds
   * up to one compare at the configured cost (`2^stored + 2^stored + … + 2^(cost−1) = 2^cost`).
   */
  async check(hash: string | null | undefined, password: string): Promise<boolean> {
    assertHashablePassword(password);
    const stored = typeof hash === 'string' ? hashCost(hash) : undefined;
    return this.limiter.run(async () => {
      if (hash == null || stored === undefined) {
        await this.compare(password, await this.dummy(this.cost), this.cost);
        return false;
      }
      const ok = await this.compare(password, hash, stored);
      for (let cost = stored; !ok && cost < this.cost; cost++) {
        await this.compare(password, await this.dummy(cost), cost);
      }
      return ok;
    });
  }

  /** Work done so far and the queue right now. */
  stats(): PasswordHasherStats {
    return {
      hashes: this.hashes,
      compares: this.compares,
      compareRounds: this.compareRounds,
      running: this.limiter.running,
      queued: this.limiter.queued,
      shed: this.limiter.shed,
    };
  }

  private bcryptHash(password: string, cost: number): Promise<string> {
    this.hashes++;
    return bcryptBackend(this.nice).hash(password, cost);
  }

  private compare(password: string, hash: string, cost: number): Promise<boolean> {
    this.compares++;
    this.compareRounds += 2 ** cost;
    return bcryptBackend(this.nice).compare(password, hash);
  }

  /** A hash of a fixed password at `cost`, made once (inside the caller's slot). */
  private dummy(cost: number): Promise<string> {
    let dummy = this.dummies.get(cost);
    if (dummy === undefined) {
      dummy = this.bcryptHash(DUMMY_PASSWORD, cost);
      this.dummies.set(cost, dummy);
    }
    return dummy;
  }
}
