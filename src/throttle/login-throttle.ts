import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../errors/http-errors';
import type { ResolvedThrottleOptions } from './options';

type Scope = 'pair' | 'account' | 'ip';

function limiter(
  options: ResolvedThrottleOptions,
  scope: Scope,
  points: number,
): RateLimiterAbstract {
  const common = {
    points,
    duration: options.windowSeconds,
    keyPrefix: `${options.keyPrefix}:${scope}`,
  };
  if (options.redis === undefined || options.redis === null) return new RateLimiterMemory(common);
  return new RateLimiterRedis({
    ...common,
    storeClient: options.redis,
    useRedisPackage: options.useRedisPackage,
    // A Redis outage must not open the gate nor break logins: count in memory meanwhile.
    insuranceLimiter: new RateLimiterMemory(common),
  });
}

/**
 * Counts login attempts per (identifier, IP), per identifier and per IP — whether the account
 * exists or not — with rate-limiter-flexible. An attempt consumes a point up front (so parallel
 * guesses cannot slip past the limit); a successful login gives its points back and clears the
 * (identifier, IP) counter. Over a limit: {@link TooManyRequestsError} (429, `Retry-After`)
 * before any query or hash.
 */
export class LoginThrottle {
  private readonly limiters: Record<Scope, RateLimiterAbstract>;

  /** @param options - resolved throttling options. */
  constructor(readonly options: ResolvedThrottleOptions) {
    this.limiters = {
      pair: limiter(options, 'pair', options.perAccountAndIp),
      account: limiter(options, 'account', options.perAccount),
      ip: limiter(options, 'ip', options.perIp),
    };
  }

  private keys(identifier: string, ip: string): Record<Scope, string> {
    const account = identifier.trim().toLowerCase();
    return { pair: `${account}|${ip}`, account, ip };
  }

  /**
   * Runs one credential check under the limits. `check` resolves `true` on success.
   * Throws {@link TooManyRequestsError} when a limit is exceeded, without calling `check`.
   */
  async attempt<T>(
    identifier: string,
    ip: string,
    check: () => Promise<T | null>,
  ): Promise<T | null> {
    const keys = this.keys(identifier, ip);
    const scopes: Scope[] = ['pair', 'account', 'ip'];
    const results = await Promise.allSettled(scopes.map((s) => this.limiters[s].consume(keys[s])));
    let wait = 0;
    for (const result of results) {
      if (result.status === 'rejected') {
        if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
        wait = Math.max(wait, result.reason.msBeforeNext);
      }
    }
    if (wait > 0) throw new TooManyRequestsError(wait / 1000);
    const outcome = await check();
    if (outcome !== null) {
      await Promise.all([
        this.limiters.pair.delete(keys.pair),
        this.limiters.account.reward(keys.account),
        this.limiters.ip.reward(keys.ip),
      ]);
    }
    return outcome;
  }
}
