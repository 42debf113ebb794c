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
  /** The credentials were right: the points go back and the (identifier, IP) counter is cleared. */
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
}

function isLimit(error: unknown): error is RateLimiterRes {
  return error instanceof RateLimiterRes;
}

/** The three operations the throttle needs from a counter store. */
interface Counter {
  consume(key: string): Promise<unknown>;
  reward(key: string): Promise<unknown>;
  delete(key: string): Promise<unknown>;
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
 * (identifier, IP) counter.
 *
 * @example
 * ```ts
 * const user = await throttle.attempt(credentials.username, req.ip, () => checkCredentials());
 * ```
 */
export class LoginThrottle {
  private readonly limiters: Record<Scope, Counter>;
  private readonly memory: Record<Scope, BoundedMemoryLimiter>;

  /** @param options - resolved throttling options. */
  constructor(readonly options: ResolvedThrottleOptions) {
    const points: Record<Scope, number> = {
      ip: options.perIp,
      pair: options.perAccountAndIp,
      account: options.perAccount,
    };
    const make = (scope: Scope): BoundedMemoryLimiter =>
      new BoundedMemoryLimiter({
        points: points[scope],
        duration: options.windowSeconds,
        maxEntries: options.maxMemoryEntries,
        now: options.now,
      });
    this.memory = { ip: make('ip'), pair: make('pair'), account: make('account') };
    const store = (scope: Scope): Counter => {
      if (options.redis === undefined || options.redis === null) return this.memory[scope];
      const redis = new RateLimiterRedis({
        points: points[scope],
        duration: options.windowSeconds,
        keyPrefix: `${options.keyPrefix}:${scope}`,
        storeClient: options.redis,
        useRedisPackage: options.useRedisPackage,
        // Not connected: answer from memory at once instead of queueing behind a reconnect.
        rejectIfRedisNotReady: true,
      });
      // Connected but silent (frozen, overloaded): answer from memory after a bounded wait.
      const remote = new RLWrapperTimeouts({ limiter: redis, timeoutMs: options.redisTimeoutMs });
      return new InsuredCounter(remote, this.memory[scope]);
    };
    this.limiters = { ip: store('ip'), pair: store('pair'), account: store('account') };
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
      } catch (error) {
        // Over the limit: this point and the ones before it go back; nothing was checked.
        await this.giveBack(keys, isLimit(error) ? [...taken, scope] : taken);
        if (isLimit(error)) throw new TooManyRequestsError(error.msBeforeNext / 1000);
        throw error;
      }
      taken.push(scope);
    }
    let settled = false;
    const settle = (): void => {
      if (settled) throw new Error('a login attempt is settled once');
      settled = true;
    };
    return {
      succeeded: async () => {
        settle();
        await Promise.all([
          this.limiters.ip.reward(keys.ip),
          this.limiters.pair.delete(keys.pair),
          this.limiters.account.reward(keys.account),
        ]);
      },
      failed: settle,
      abandon: async () => {
        settle();
        await this.giveBack(keys, ORDER);
      },
      shed: async () => {
        settle();
        await this.giveBack(keys, ['pair', 'account']);
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
    };
  }

  private async giveBack(keys: AttemptKeys, scopes: readonly Scope[]): Promise<void> {
    await Promise.all(scopes.map((scope) => this.limiters[scope].reward(keys[scope])));
  }
}
