import { RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import { AuthBusyError, TooManyRequestsError } from '../errors/http-errors';
import { attemptKeys, type AttemptKeys } from './keys';
import { BoundedMemoryLimiter } from './memory-limiter';
import type { ResolvedThrottleOptions } from './options';

type Scope = keyof AttemptKeys;

/** Checked in this order: an IP over its own limit never creates or charges another key. */
const ORDER: readonly Scope[] = ['ip', 'pair', 'account'];

/**
 * One login attempt that passed the limits, holding one reserved point on each counter. Settle it
 * exactly once, after the credential check.
 */
export interface LoginAttempt {
  /**
   * The credentials were right: the points go back and the (identifier, IP) counter is cleared
   * (and the pair remembered) — unless the identifier folds to another spelling (`alicé@…`), whose
   * success gives back only its own points: a look-alike account must not reset the counters of the
   * account it folds to.
   */
  succeeded(): Promise<void>;
  /** The check ran and the credentials were wrong: the points stay charged. */
  failed(): void;
  /** The check did not run to a verdict (e.g. the database failed): every point goes back. */
  abandon(): Promise<void>;
  /**
   * The hasher was too busy to run the check (503 `auth_busy`): the pair and account points go
   * back, the IP's stays, so one IP cannot keep the bcrypt queue full for free.
   */
  shed(): Promise<void>;
}

/** Keys held by each in-memory counter. */
export interface ThrottleMemoryEntries {
  /** Per-IP counter. */
  readonly ip: number;
  /** Per-(identifier, IP) counter. */
  readonly pair: number;
  /** Per-identifier counter. */
  readonly account: number;
  /** Remembered (identifier, IP) pairs (0 with `trustedSeconds: 0`). */
  readonly known: number;
}

function isLimit(error: unknown): error is RateLimiterRes {
  return error instanceof RateLimiterRes;
}

/** The four operations the throttle needs from a counter store. */
interface Counter {
  consume(key: string): Promise<unknown>;
  reward(key: string): Promise<unknown>;
  delete(key: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
}

/**
 * Redis first; while Redis is not ready or does not answer in time, the bounded memory counter
 * answers instead. A limit reached in Redis is a verdict, not a failure: it is passed on as is.
 */
class InsuredCounter implements Counter {
  constructor(
    private readonly remote: RLWrapperTimeouts,
    private readonly fallback: BoundedMemoryLimiter,
  ) {}

  consume(key: string): Promise<unknown> {
    return this.remote.consume(key).catch((e: unknown) => {
      if (isLimit(e)) throw e;
      return this.fallback.consume(key);
    });
  }

  reward(key: string): Promise<unknown> {
    return this.remote.reward(key).catch(() => this.fallback.reward(key));
  }

  delete(key: string): Promise<unknown> {
    return this.remote.delete(key).catch(() => this.fallback.delete(key));
  }

  get(key: string): Promise<unknown> {
    return this.remote.get(key).catch(() => this.fallback.get(key));
  }
}

/**
 * Counts failed logins per client IP, per (identifier, IP) and per identifier — whether the
 * account exists or not — with rate-limiter-flexible, in memory or in Redis.
 *
 * An attempt reserves one point on each counter, in the order IP → pair → account, before the
 * credential check runs, so parallel guesses cannot slip past a limit. The first counter over
 * its limit answers {@link TooManyRequestsError} (429, `Retry-After`) before any query or hash,
 * and every point the attempt reserved is given back: only checks that ran and failed stay
 * counted (and, on the IP only, attempts the busy hasher shed). An IP over its own limit
 * therefore never reaches an account's counter, and one IP can charge an account at most
 * `perAccountAndIp` times a window. A success gives its points back and clears the
 * (identifier, IP) counter — only its points back when the identifier is not its own fold (a
 * look-alike such as `alicé@…` or fullwidth `ａlice@…` shares `alice@…`'s counters).
 *
 * **Known pairs.** A success also remembers its (identifier, IP) pair for `trustedSeconds`. While an
 * account is over `perAccount` — e.g. because many IPs guess at it to lock its owner out — a
 * remembered pair is let through that limit (its own per-pair and per-IP limits still apply), so
 * the owner still signs in from where they signed in before; only unknown places wait.
 *
 * @example
 * ```ts
 * const user = await throttle.attempt(credentials.username, req.ip, () => checkCredentials());
 * ```
 */
export class LoginThrottle {
  private readonly limiters: Record<Scope, Counter>;
  private readonly memory: Record<Scope, BoundedMemoryLimiter>;
  /** Remembered (identifier, IP) pairs, or `null` when `trustedSeconds` is 0. */
  private readonly known: { store: Counter; memory: BoundedMemoryLimiter } | null;

  /** @param options - resolved throttling options. */
  constructor(readonly options: ResolvedThrottleOptions) {
    const points: Record<Scope, number> = {
      ip: options.perIp,
      pair: options.perAccountAndIp,
      account: options.perAccount,
    };
    const make = (limit: number, duration: number): BoundedMemoryLimiter =>
      new BoundedMemoryLimiter({
        points: limit,
        duration,
        maxEntries: options.maxMemoryEntries,
        now: options.now,
      });
    const window = options.windowSeconds;
    this.memory = {
      ip: make(points.ip, window),
      pair: make(points.pair, window),
      account: make(points.account, window),
    };
    const store = (
      name: string,
      memory: BoundedMemoryLimiter,
      limit: number,
      duration: number,
    ): Counter => {
      if (options.redis === undefined || options.redis === null) return memory;
      const redis = new RateLimiterRedis({
        points: limit,
        duration,
        keyPrefix: `${options.keyPrefix}:${name}`,
        storeClient: options.redis,
        useRedisPackage: options.useRedisPackage,
        // Not connected: answer from memory at once instead of queueing behind a reconnect.
        rejectIfRedisNotReady: true,
      });
      // Connected but silent (frozen, overloaded): answer from memory after a bounded wait.
      const remote = new RLWrapperTimeouts({ limiter: redis, timeoutMs: options.redisTimeoutMs });
      return new InsuredCounter(remote, memory);
    };
    const counter = (scope: Scope): Counter =>
      store(scope, this.memory[scope], points[scope], window);
    this.limiters = { ip: counter('ip'), pair: counter('pair'), account: counter('account') };
    if (options.trustedSeconds === 0) {
      this.known = null;
    } else {
      const memory = make(1, options.trustedSeconds);
      this.known = { memory, store: store('known', memory, 1, options.trustedSeconds) };
    }
  }

  /**
   * Reserves one point on each counter for an attempt by `identifier` from `ip`. Throws
   * {@link TooManyRequestsError} when a limit is reached, having given back every point it took.
   */
  async reserve(identifier: string, ip: string): Promise<LoginAttempt> {
    const keys = attemptKeys(identifier, ip, this.options.foldIdentifier);
    const taken: Scope[] = [];
    for (const scope of ORDER) {
      try {
        await this.limiters[scope].consume(keys[scope]);
        taken.push(scope);
      } catch (error) {
        if (!isLimit(error)) {
          await this.giveBack(keys, taken);
          throw error;
        }
        // Over the limit: this point goes back. A remembered pair passes the account's limit.
        await this.limiters[scope].reward(keys[scope]);
        if (scope === 'account' && (await this.isKnown(keys.pair))) continue;
        // Refused: the points before it go back too; nothing was checked.
        await this.giveBack(keys, taken);
        throw new TooManyRequestsError(error.msBeforeNext / 1000);
      }
    }
    let settled = false;
    const settle = (): void => {
      if (settled) throw new Error('a login attempt is settled once');
      settled = true;
    };
    return {
      succeeded: async () => {
        settle();
        // A spelling that folds to another (`alicé@…` → `alice@…`) may be another account sharing
        // these counters: its success must not wipe or vouch for the pair of the one it folds to.
        if (!this.isFoldStable(identifier)) {
          await this.giveBack(keys, taken);
          return;
        }
        await Promise.all([
          this.giveBack(
            keys,
            taken.filter((scope) => scope !== 'pair'),
          ),
          this.limiters.pair.delete(keys.pair),
          this.remember(keys.pair),
        ]);
      },
      failed: settle,
      abandon: async () => {
        settle();
        await this.giveBack(keys, taken);
      },
      shed: async () => {
        settle();
        await this.giveBack(
          keys,
          taken.filter((scope) => scope !== 'ip'),
        );
      },
    };
  }

  /**
   * Runs one credential check under the limits. `check` resolves the user on success and `null`
   * on wrong credentials (the failure is counted); if it throws, the attempt is not counted (an
   * {@link AuthBusyError} still counts against the IP, see {@link LoginAttempt.shed}) and the
   * error propagates. Throws {@link TooManyRequestsError} when a limit is reached, without
   * calling `check`.
   */
  async attempt<T>(
    identifier: string,
    ip: string,
    check: () => Promise<T | null>,
  ): Promise<T | null> {
    const attempt = await this.reserve(identifier, ip);
    let outcome: T | null;
    try {
      outcome = await check();
    } catch (error) {
      await (error instanceof AuthBusyError ? attempt.shed() : attempt.abandon());
      throw error;
    }
    if (outcome === null) attempt.failed();
    else await attempt.succeeded();
    return outcome;
  }

  /**
   * Keys held in memory by each counter: the store itself without Redis, the stand-in with it.
   * Each is at most `maxMemoryEntries`.
   */
  memoryEntries(): ThrottleMemoryEntries {
    return {
      ip: this.memory.ip.size,
      pair: this.memory.pair.size,
      account: this.memory.account.size,
      known: this.known?.memory.size ?? 0,
    };
  }

  /** Whether the identifier is its own fold: its trimmed, lower-cased form is what it folds to. */
  private isFoldStable(identifier: string): boolean {
    return identifier.trim().toLowerCase() === this.options.foldIdentifier(identifier);
  }

  /** Whether the pair signed in within `trustedSeconds`; an unanswering store says no. */
  private async isKnown(pair: string): Promise<boolean> {
    if (this.known === null) return false;
    const held = await this.known.store.get(pair).catch(() => null);
    return held !== null && held !== undefined;
  }

  /** Remembers the pair for `trustedSeconds` from now (a renewed window, not the first one). */
  private async remember(pair: string): Promise<void> {
    if (this.known === null) return;
    await this.known.store.delete(pair);
    await this.known.store.consume(pair).catch((error: unknown) => {
      if (!isLimit(error)) throw error;
    });
  }

  private async giveBack(keys: AttemptKeys, scopes: readonly Scope[]): Promise<void> {
    await Promise.all(scopes.map((scope) => this.limiters[scope].reward(keys[scope])));
  }
}
