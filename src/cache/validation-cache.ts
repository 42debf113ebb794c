import type { EntityManager } from 'typeorm';
import type { TokenClaims } from '../tokens/claims';
import type { LiveTokenRow } from '../tokens/store/port';
import type { RevocationHook } from '../tokens/store/revocations';
import type { ChannelListener, InvalidationChannel } from './channel';
import type { Invalidation } from './events';

/** @internal How a {@link ValidationCache} is bounded. */
export interface ValidationCacheSettings {
  /** Most entries held; the least recently used goes first. */
  readonly size: number;
  /** Longest an entry is trusted, ms. */
  readonly maxAgeMs: number;
  /** The clock, ms since the epoch. */
  readonly now: () => number;
}

/** What `auth.status().validationCache` reports about the validation cache. */
export interface ValidationCacheStats {
  /** The channel: `"postgres"`, `"redis"` or `"local"`. */
  readonly channel: 'postgres' | 'redis' | 'local';
  /** Whether the channel is listening (the cache is used only then). */
  readonly listening: boolean;
  /** Entries held now. */
  readonly entries: number;
  /** Validations answered from the cache since the setup. */
  readonly hits: number;
  /** Validations that went to the store while the cache was in use. */
  readonly misses: number;
  /** Validations that went to the store because the channel was not listening (strict). */
  readonly bypassed: number;
}

interface Entry {
  readonly sub: string;
  readonly sid: string;
  /** Trusted until (ms): the earliest of the max age, the token's and the session's end. */
  readonly until: number;
  /** The token's or the session's end, whichever is first (ms). */
  readonly end: number;
}

/** A ticket from {@link ValidationCache.ticket}, handed back to {@link ValidationCache.remember}. */
export type CacheTicket = number;

function add(index: Map<string, Set<string>>, key: string, jti: string): void {
  let set = index.get(key);
  if (set === undefined) index.set(key, (set = new Set()));
  set.add(jti);
}

function remove(index: Map<string, Set<string>>, key: string, jti: string): void {
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(jti);
  if (set.size === 0) index.delete(key);
}

/**
 * @internal The opt-in validation cache of one setup: positive store results for access tokens,
 * keyed by the verified `jti` and bound to its `sub` and `sid` (a forged token never reaches it:
 * it is consulted only after the signature verified). Bounded in size (LRU) and age; an entry
 * never outlives its token or session. Negative results are never kept.
 *
 * Trust comes from the invalidation channel: while it is not listening, the cache answers
 * nothing (every validation goes to the store) and keeps nothing; when it comes back, the cache
 * starts empty, since events may have been missed. Every invalidation, and every change of the
 * channel's state, moves an epoch on: a store result read before it is not kept, so a lookup
 * racing a revocation can never put a dead token back.
 */
export class ValidationCache implements RevocationHook {
  private readonly entries = new Map<string, Entry>();
  private readonly bySession = new Map<string, Set<string>>();
  private readonly byUser = new Map<string, Set<string>>();
  private epoch = 0;
  private listening = false;
  private hits = 0;
  private misses = 0;
  private bypassed = 0;
  /** Whether the operator was told the channel is down (said once per outage). */
  private toldDown = false;
  /** Set by close(): the channel going down then is no outage. */
  private closing = false;

  constructor(
    private readonly settings: ValidationCacheSettings,
    /** The channel this cache listens to and publishes on. */
    readonly channel: InvalidationChannel,
    /**
     * Where a channel going down and coming back is said (the setup's `logWarning`, guarded by
     * `createValidationCache`: it never throws here).
     */
    private readonly say: (message: string) => void = () => undefined,
  ) {}

  /** Starts listening; the cache is used once the channel is up. */
  start(): void {
    const listener: ChannelListener = {
      received: (events) => {
        if (events === null) this.reset();
        else this.drop(events);
      },
      up: () => {
        this.reset();
        this.listening = true;
        if (this.toldDown) {
          this.toldDown = false;
          this.say(
            `validation cache: the ${this.channel.kind} channel listens again (cache emptied).`,
          );
        }
      },
      down: () => {
        this.listening = false;
        this.reset();
        // Once per outage (the channel retries, and says down on every failed attempt).
        if (!this.toldDown && !this.closing) {
          this.toldDown = true;
          this.say(
            `validation cache: the ${this.channel.kind} channel is not listening; every request goes to the store until it is back.`,
          );
        }
      },
    };
    this.channel.start(listener);
  }

  /** Whether the cache is in use (its channel is listening). */
  get active(): boolean {
    return this.listening;
  }

  /** Whether verified access claims are known live: `true` means no store query is needed. */
  has(claims: TokenClaims): boolean {
    if (!this.listening) {
      this.bypassed++;
      return false;
    }
    const entry = this.entries.get(claims.jti);
    if (entry === undefined || entry.sub !== claims.sub || entry.sid !== claims.sid) {
      this.misses++;
      return false;
    }
    if (this.settings.now() >= entry.until) {
      this.delete(claims.jti, entry);
      this.misses++;
      return false;
    }
    // Least recently used goes first: a hit moves the entry to the end.
    this.entries.delete(claims.jti);
    this.entries.set(claims.jti, entry);
    this.hits++;
    return true;
  }

  /** Taken before a store lookup; {@link ValidationCache.remember} keeps its result only if still current. */
  ticket(): CacheTicket {
    return this.epoch;
  }

  /**
   * Keeps a live store result for access claims, unless the channel is down or anything was
   * invalidated since `ticket` was taken.
   */
  remember(ticket: CacheTicket, claims: TokenClaims, row: LiveTokenRow): void {
    if (!this.listening || ticket !== this.epoch || claims.type !== 'access') return;
    const end = Math.min(row.expiresAt, row.sessionExpiresAt, claims.exp * 1000);
    const until = Math.min(end, this.settings.now() + this.settings.maxAgeMs);
    if (until <= this.settings.now()) return;
    const old = this.entries.get(claims.jti);
    if (old !== undefined) this.delete(claims.jti, old);
    this.entries.set(claims.jti, { sub: claims.sub, sid: claims.sid, until, end });
    add(this.bySession, claims.sid, claims.jti);
    add(this.byUser, claims.sub, claims.jti);
    while (this.entries.size > this.settings.size) {
      const oldest = this.entries.entries().next().value;
      if (oldest === undefined) break;
      this.delete(oldest[0], oldest[1]);
    }
  }

  private delete(jti: string, entry: Entry): void {
    this.entries.delete(jti);
    remove(this.bySession, entry.sid, jti);
    remove(this.byUser, entry.sub, jti);
  }

  private dropAll(jtis: Iterable<string>, keep: (entry: Entry) => boolean = () => false): void {
    for (const jti of [...jtis]) {
      const entry = this.entries.get(jti);
      if (entry !== undefined && !keep(entry)) this.delete(jti, entry);
    }
  }

  /** Drops what the invalidations name. */
  drop(events: readonly Invalidation[]): void {
    this.epoch++;
    for (const event of events) {
      switch (event.kind) {
        case 'token':
          this.dropAll([event.jti]);
          break;
        case 'session':
          this.dropAll(this.bySession.get(event.sid) ?? []);
          break;
        case 'user':
          this.dropAll(this.byUser.get(event.sub) ?? [], (e) => e.sid === event.except);
          break;
        case 'expired':
          this.dropAll(this.entries.keys(), (e) => e.end >= event.before);
          break;
      }
    }
  }

  /** Forgets everything. */
  reset(): void {
    this.epoch++;
    this.entries.clear();
    this.bySession.clear();
    this.byUser.clear();
  }

  /** Counters for `auth.status()` and the benchmark. */
  stats(): ValidationCacheStats {
    return {
      channel: this.channel.kind,
      listening: this.listening,
      entries: this.entries.size,
      hits: this.hits,
      misses: this.misses,
      bypassed: this.bypassed,
    };
  }

  /** {@inheritDoc RevocationHook.inTransaction} */
  inTransaction(manager: EntityManager, events: readonly Invalidation[]): Promise<void> {
    return this.channel.inTransaction(manager, events);
  }

  /** {@inheritDoc RevocationHook.revoked} */
  async revoked(events: readonly Invalidation[]): Promise<void> {
    this.drop(events);
    await this.channel.publish(events);
  }

  /** Stops listening and forgets everything. */
  async close(): Promise<void> {
    this.closing = true;
    this.listening = false;
    this.reset();
    await this.channel.close();
  }
}
