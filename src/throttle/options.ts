/**
 * Brute-force throttling of credential-checking routes (login, OAuth2 token, cookie login).
 * Every field is optional.
 */
export interface ThrottleOptions {
  /** Length of the counting window, in seconds. Default `900` (15 minutes). */
  windowSeconds?: number;
  /**
   * Failed attempts allowed per account identifier AND client IP in a window; the next one
   * answers 429. Default `10`. This is the limit a normal attacker hits first, and the only one
   * that locks out a single (identifier, IP) pair: the real user on another IP is not affected.
   */
  perAccountAndIp?: number;
  /**
   * Failed attempts allowed per account identifier from all IPs together. Default `100`.
   * Slows a distributed guess against one account; an attacker can use it to make the account
   * wait out the rest of the window, never longer.
   */
  perAccount?: number;
  /** Failed attempts allowed per client IP across all identifiers. Default `100`. */
  perIp?: number;
  /**
   * A connected ioredis (or node-redis with `useRedisPackage`) client: counters then hold across
   * instances. Default: in-process memory. If Redis fails, an in-memory limiter takes over.
   */
  redis?: unknown;
  /** With `redis`: the client is node-redis, not ioredis. Default `false`. */
  useRedisPackage?: boolean;
  /** Key prefix in the store. Default `"rca-login"`. */
  keyPrefix?: string;
}

/** Throttling after validation. */
export interface ResolvedThrottleOptions {
  /** Window length, seconds. */
  readonly windowSeconds: number;
  /** Failures allowed per (identifier, IP). */
  readonly perAccountAndIp: number;
  /** Failures allowed per identifier. */
  readonly perAccount: number;
  /** Failures allowed per IP. */
  readonly perIp: number;
  /** Redis client, or undefined for memory. */
  readonly redis: unknown;
  /** Whether the client is node-redis. */
  readonly useRedisPackage: boolean;
  /** Store key prefix. */
  readonly keyPrefix: string;
}
