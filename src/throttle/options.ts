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
   * Only credential checks that ran and failed count (an IP already over one of its own limits
   * never reaches this counter), so one IP can charge it at most `perAccountAndIp` times a window.
   * Slows a distributed guess against one account; an attacker can use it to make the account
   * wait out the rest of the window, never longer — and never from an (identifier, IP) pair that
   * signed in within `trustedSeconds`.
   */
  perAccount?: number;
  /** Failed attempts allowed per client IP across all identifiers. Default `100`. */
  perIp?: number;
  /**
   * How long a successful login's (identifier, IP) pair is remembered, in seconds. Default
   * `2592000` (30 days); `0` turns it off. While an account is over `perAccount`, a remembered
   * pair is still let through (its per-pair and per-IP limits still apply): an attacker spreading
   * failures over many IPs to lock the owner out locks out only places the owner has not signed in
   * from. IPs are counted as the other counters count them (IPv6 per /64). Kept in the same store
   * (memory, bounded by `maxMemoryEntries`, or Redis).
   */
  trustedSeconds?: number;
  /**
   * Maps a login identifier to the name its counters are kept under; spellings that fold alike
   * share counters. Default {@link foldIdentifier}: case folded, Unicode NFKD with combining
   * marks removed, trimmed — at least as wide as a case- and accent-insensitive database
   * collation, so `ALÌCÉ@example.com` cannot get fresh counters for `alice@example.com`. The
   * result is hashed: counter keys have a fixed size whatever the identifier.
   */
  foldIdentifier?: (identifier: string) => string;
  /**
   * Most keys each in-memory counter (per IP, per account, per pair) holds. Default `10000`
   * (a few MB in all). When full, expired windows go first, then the key holding the fewest
   * failures: resetting a victim's counter of `k` failures takes `maxMemoryEntries × k` failed
   * logins first. Applies to the memory store and to the in-memory stand-in used while Redis is
   * unreachable.
   */
  maxMemoryEntries?: number;
  /**
   * A connected ioredis (or node-redis with `useRedisPackage`) client: counters then hold across
   * instances. Default: in-process memory. While Redis is not ready, or a call takes longer than
   * `redisTimeoutMs`, an in-memory limiter answers instead.
   */
  redis?: unknown;
  /** With `redis`: the client is node-redis, not ioredis. Default `false`. */
  useRedisPackage?: boolean;
  /**
   * With `redis`: how long one Redis call may take before the in-memory limiter answers instead,
   * in milliseconds. Default `200`. A login makes at most four calls in a row (three checks, then
   * one batch of updates), so a frozen Redis delays it by at most about four times this.
   */
  redisTimeoutMs?: number;
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
  /** Seconds a successful pair is remembered; 0 = off. */
  readonly trustedSeconds: number;
  /** Identifier → counter name. */
  readonly foldIdentifier: (identifier: string) => string;
  /** Keys each in-memory counter holds at most. */
  readonly maxMemoryEntries: number;
  /** Redis client, or undefined for memory. */
  readonly redis: unknown;
  /** Whether the client is node-redis. */
  readonly useRedisPackage: boolean;
  /** Longest wait on one Redis call, ms. */
  readonly redisTimeoutMs: number;
  /** Store key prefix. */
  readonly keyPrefix: string;
  /** The clock the in-memory windows run on (the configuration's `now`). */
  readonly now: () => number;
}
