import { RateLimiterRes } from 'rate-limiter-flexible';

/** What {@link BoundedMemoryLimiter} takes. */
export interface BoundedMemoryOptions {
  /** Points allowed per key in a window. */
  points: number;
  /** Window length, seconds. */
  duration: number;
  /** Most keys held at once (≥ 1). */
  maxEntries: number;
  /** The clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  count: number;
  expiresAt: number;
}

/**
 * A fixed-window counter in process memory that answers like rate-limiter-flexible's limiters
 * (a `RateLimiterRes`, rejected once over the limit) but is bounded: it never holds more than
 * `maxEntries` keys, keeps no timer per key, and forgets a key whose count falls back to zero.
 *
 * **Eviction.** When a new key arrives and the store is full, expired windows go first; then the
 * key with the fewest points, the longest-held among equals. Flooding the store with fresh keys
 * therefore only evicts other one-point keys: to reset a key that holds `k` points, an attacker
 * must first fill the whole store with keys holding at least `k` — `maxEntries × k` charged
 * attempts, each one a failed credential check, to win back `k` guesses.
 *
 * @example
 * ```ts
 * const perIp = new BoundedMemoryLimiter({ points: 100, duration: 900, maxEntries: 10_000 });
 * await perIp.consume('203.0.113.9'); // rejects with a RateLimiterRes past 100 in 15 minutes
 * ```
 */
export class BoundedMemoryLimiter {
  /** Points allowed per key in a window. */
  readonly points: number;
  private readonly msDuration: number;
  private readonly entries = new Map<string, Entry>(); // insertion order = window start order
  private readonly byCount = new Map<number, Set<string>>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  /** @param options - points, window, bound and clock. */
  constructor(options: BoundedMemoryOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    this.points = options.points;
    this.msDuration = options.duration * 1000;
    this.maxEntries = options.maxEntries;
    this.now = options.now ?? Date.now;
  }

  /** Keys held right now (expired ones included until they are swept). */
  get size(): number {
    return this.entries.size;
  }

  /** Adds `points` (default 1); rejects with a `RateLimiterRes` once the count exceeds the limit. */
  consume(key: string, points = 1): Promise<RateLimiterRes> {
    const res = this.add(key, points, true);
    // rate-limiter-flexible's contract: over the limit, the promise rejects with the RateLimiterRes.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    return res.consumedPoints > this.points ? Promise.reject(res) : Promise.resolve(res);
  }

  /** Takes `points` back; a key that is not held stays absent (never a negative count). */
  reward(key: string, points = 1): Promise<RateLimiterRes> {
    return Promise.resolve(this.add(key, -points, false));
  }

  /** The key's state, or `null` when it is not held. */
  get(key: string): Promise<RateLimiterRes | null> {
    const now = this.now();
    const entry = this.live(key, now);
    return Promise.resolve(entry === undefined ? null : this.res(entry, now, false));
  }

  /** Forgets the key; `true` when it was held. */
  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.remove(key));
  }

  private add(key: string, points: number, create: boolean): RateLimiterRes {
    const now = this.now();
    let entry = this.live(key, now);
    const first = entry === undefined;
    if (entry === undefined) {
      if (!create) return new RateLimiterRes(this.points, 0, 0, false);
      entry = this.insert(key, now);
    }
    this.recount(key, entry, entry.count + points);
    return this.res(entry, now, first);
  }

  private res(entry: Entry, now: number, first: boolean): RateLimiterRes {
    const remaining = Math.max(this.points - entry.count, 0);
    return new RateLimiterRes(remaining, Math.max(entry.expiresAt - now, 0), entry.count, first);
  }

  /** The key's entry if held and unexpired; an expired one is dropped. */
  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expiresAt <= now) {
      this.remove(key);
      return undefined;
    }
    return entry;
  }

  private insert(key: string, now: number): Entry {
    this.sweep(now);
    if (this.entries.size >= this.maxEntries) this.evict();
    const entry: Entry = { count: 0, expiresAt: now + this.msDuration };
    this.entries.set(key, entry);
    return entry;
  }

  /** Moves the key to its new count's bucket; a count of zero or less forgets the key. */
  private recount(key: string, entry: Entry, count: number): void {
    this.byCount.get(entry.count)?.delete(key);
    if (this.byCount.get(entry.count)?.size === 0) this.byCount.delete(entry.count);
    entry.count = count;
    if (count <= 0) {
      this.entries.delete(key);
      return;
    }
    let bucket = this.byCount.get(count);
    if (bucket === undefined) {
      bucket = new Set();
      this.byCount.set(count, bucket);
    }
    bucket.add(key);
  }

  private remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.recount(key, entry, 0);
    return true;
  }

  /** Drops expired windows, oldest first (windows start in insertion order). */
  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.remove(key);
    }
  }

  /** Drops the key with the fewest points, the longest-held among equals. */
  private evict(): void {
    let lowest = Infinity;
    for (const count of this.byCount.keys()) lowest = Math.min(lowest, count);
    const victim = this.byCount.get(lowest)?.values().next().value;
    if (victim !== undefined) this.remove(victim);
  }
}
