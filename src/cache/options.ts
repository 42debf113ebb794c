/**
 * A Redis client for the invalidation channel: what the cache uses of ioredis. The library sends
 * nothing on the client given: it opens two `duplicate()`s of it, one that subscribes (a
 * subscribing connection can send nothing else) and one that publishes.
 */
export interface InvalidationRedis {
  /** A new connection with the same options, but for those `override` sets. */
  duplicate(override?: InvalidationRedisOverride): InvalidationRedisSubscriber;
}

/**
 * What the library sets on its publishing `duplicate()`, whatever the client given was made
 * with: it always reconnects, and commands wait for the reconnect instead of failing (ioredis'
 * `enableOfflineQueue` and `maxRetriesPerRequest: null`), so a dropped connection delays a revocation's message, never
 * loses it.
 */
export interface InvalidationRedisOverride {
  /** Queue commands while disconnected. */
  enableOfflineQueue?: boolean;
  /** Retries of a command across reconnects; `null`: until it is sent. */
  maxRetriesPerRequest?: number | null;
  /** Delay before reconnect attempt `times`, ms; never `null` (which would stop reconnecting). */
  retryStrategy?: (times: number) => number;
}

/**
 * A `duplicate()` of {@link InvalidationRedis}: the library opens two, one that subscribes and
 * one that publishes.
 */
export interface InvalidationRedisSubscriber {
  /** Publishes one message (the publishing duplicate). */
  publish(channel: string, message: string): Promise<number>;
  /** Subscribes to a channel. */
  subscribe(channel: string): Promise<unknown>;
  /** A message on a subscribed channel. */
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  /** The connection is ready (again), or closed. */
  on(event: 'ready' | 'close' | 'end', listener: () => void): unknown;
  /** A connection error (a `close` follows). */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** PING (allowed while subscribed): the heartbeat. */
  ping(): Promise<unknown>;
  /** Closes the connection at once; with `reconnect`, ioredis connects again. */
  disconnect(reconnect?: boolean): void;
  /** Closes the connection once the commands queued before it are sent. */
  quit(): Promise<unknown>;
  /** ioredis' connection state: `"ready"` when connected and usable. */
  readonly status?: string;
}

/**
 * The opt-in validation cache: recently validated access tokens are kept in process memory, so a
 * hot token costs no store query. Every revocation is published on an invalidation channel that
 * every instance listens to (PostgreSQL LISTEN/NOTIFY, Redis pub/sub, or in-process on SQLite);
 * while the channel is down the cache is bypassed. Every field is optional.
 */
export interface ValidationCacheOptions {
  /** Most tokens held (least recently used go first). Default `10000`. */
  size?: number;
  /**
   * Longest a validated token is trusted without asking the store, in seconds. Default `30`. An
   * entry never outlives its token or its session either. It bounds the damage of an event that
   * was published and lost (an instance killed between its commit and a Redis publish).
   */
  maxAgeSeconds?: number;
  /**
   * An ioredis client: invalidations go through Redis pub/sub (publish on it, subscribe on a
   * duplicate). Required on MariaDB/MySQL, which have no channel of their own; optional
   * elsewhere (it wins over LISTEN/NOTIFY and the in-process bus when given).
   */
  redis?: InvalidationRedis;
  /**
   * Channel name (PostgreSQL NOTIFY channel or Redis channel): letters, digits and `_`, at most
   * 63. Default `"rca_invalidations"`. Setups on the same database share it.
   */
  channel?: string;
  /**
   * PostgreSQL: a connection URL for the one LISTEN connection. Default: the DataSource's own
   * connection options. Give a direct connection when the DataSource goes through a pooler in
   * transaction mode (PgBouncer), where LISTEN does not work.
   */
  listenUrl?: string;
}

/** The validation cache after validation. */
export interface ResolvedValidationCacheOptions {
  /** Most entries. */
  readonly size: number;
  /** Longest trust in an entry, seconds. */
  readonly maxAgeSeconds: number;
  /** Redis client, or undefined for the database's own channel. */
  readonly redis: InvalidationRedis | undefined;
  /** Channel name. */
  readonly channel: string;
  /** PostgreSQL LISTEN connection URL, or undefined for the DataSource's. */
  readonly listenUrl: string | undefined;
}
