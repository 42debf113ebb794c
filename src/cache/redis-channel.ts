import type { ChannelListener, InvalidationChannel } from './channel';
import { encodeInvalidations, decodeInvalidations, type Invalidation } from './events';
import { HEARTBEAT_MS, withTimeout } from './heartbeat';
import type { InvalidationRedis, InvalidationRedisSubscriber } from './options';

/** Longest wait for a PUBLISH, ms: a revocation is never held up longer by Redis. */
const PUBLISH_TIMEOUT_MS = 1_000;
/** Between two attempts at a PUBLISH that failed, ms. */
const REPUBLISH_MS = 250;

/**
 * @internal Redis pub/sub, on two duplicates of the client given: one subscribes, one publishes
 * after the revoking transaction committed. The subscriber is `up` once its SUBSCRIBE is
 * confirmed (again after every reconnect: ioredis reconnects by itself) and `down` as soon as its
 * connection closes, or a heartbeat PING goes unanswered (then it reconnects).
 *
 * The publisher queues its commands while it reconnects, whatever the client given was made with
 * (a throttle client is often made to fail fast, `enableOfflineQueue: false`: on it a PUBLISH in
 * a reconnect failed at once, and the other instances kept the revoked token for `maxAgeSeconds`
 * — pen test). A PUBLISH that fails all the same is sent again until it is through or
 * `maxAgeSeconds` have passed, after which no instance can still hold what it revoked.
 */
export class RedisChannel implements InvalidationChannel {
  readonly kind = 'redis';
  private subscriber: InvalidationRedisSubscriber | undefined;
  private listener: ChannelListener | undefined;
  /** Moves on at every drop: a SUBSCRIBE confirmed for an older connection says nothing. */
  private connection = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Whether the last SUBSCRIBE was confirmed and no drop followed. */
  private subscribed = false;

  private publisher: InvalidationRedisSubscriber | undefined;
  /** Messages whose PUBLISH failed, with when to give up on them (ms, `now()`). */
  private readonly pending: { message: string; until: number }[] = [];
  private republishing: NodeJS.Timeout | undefined;
  private closed = false;
  private republishRunning = false;

  constructor(
    private readonly redis: InvalidationRedis,
    private readonly channel: string,
    /** How long a cache entry is trusted, ms: how long a failed PUBLISH is worth retrying. */
    private readonly maxAgeMs: number,
    /** The setup's clock, ms. */
    private readonly now: () => number,
    /** Where a PUBLISH that keeps failing is said (guarded by `createValidationCache`). */
    private readonly notice: (message: string) => void = () => undefined,
  ) {}

  /** The publishing connection, opened on first use. */
  private publishing(): InvalidationRedisSubscriber {
    if (this.publisher === undefined) {
      const publisher = this.redis.duplicate({
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
        retryStrategy: (times) => Math.min(times * 50, 2_000),
      });
      publisher.on('error', () => undefined); // ioredis reconnects; commands wait meanwhile
      this.publisher = publisher;
    }
    return this.publisher;
  }

  start(listener: ChannelListener): void {
    this.listener = listener;
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    const down = (): void => {
      this.connection++;
      this.subscribed = false;
      listener.down();
    };
    subscriber.on('error', () => undefined); // 'close' follows; ioredis reconnects
    subscriber.on('close', down);
    subscriber.on('end', down);
    subscriber.on('ready', () => void this.subscribe());
    subscriber.on('message', (channel, message) => {
      if (channel === this.channel) listener.received(decodeInvalidations(message));
    });
    void this.subscribe();
    this.heartbeat = setInterval(() => {
      void this.beat(subscriber);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** A PING unanswered in time: the connection counts as dropped and is made again. */
  private async beat(subscriber: InvalidationRedisSubscriber): Promise<void> {
    if (!this.subscribed) return; // reconnecting already
    const connection = this.connection;
    try {
      await withTimeout(subscriber.ping());
    } catch {
      if (connection !== this.connection || this.subscriber !== subscriber) return;
      this.connection++;
      this.subscribed = false;
      this.listener?.down();
      subscriber.disconnect(true);
    }
  }

  private async subscribe(): Promise<void> {
    const { subscriber, listener } = this;
    if (subscriber === undefined || listener === undefined) return;
    const connection = this.connection;
    try {
      await subscriber.subscribe(this.channel);
    } catch {
      return; // a drop follows, then a reconnect and 'ready'
    }
    if (connection === this.connection && this.subscriber === subscriber) {
      this.subscribed = true;
      listener.up();
    }
  }

  inTransaction(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Publishes after the commit, waiting at most a second: a slow PUBLISH stays queued on the
   * publisher and goes out when it can, and a failed one is sent again (see the class). Neither
   * fails the revocation, which is committed; while Redis is unreachable for the other instances
   * too, their subscribers are down and their caches bypassed.
   */
  async publish(events: readonly Invalidation[]): Promise<void> {
    if (this.closed) return;
    const message = encodeInvalidations(events);
    const publisher = this.publishing();
    const sent = publisher.publish(this.channel, message).then(
      () => undefined,
      () => {
        this.unstick(publisher);
        this.retryLater(message);
      },
    );
    // Slow: the PUBLISH stays queued and goes out after the reconnect this asks for.
    await withTimeout(sent, PUBLISH_TIMEOUT_MS).catch(() => {
      this.unstick(publisher);
    });
  }

  /**
   * A PUBLISH unanswered in time (or refused) on a connection that counts as ready: the
   * connection may be dead without a FIN (a middlebox dropped it — recheck pen test: such a
   * frozen publisher lost every revocation). It is made again; ioredis sends the commands still
   * unanswered once more on the new one. Reconnecting already: nothing to do.
   */
  private unstick(publisher: InvalidationRedisSubscriber): void {
    if (this.closed || publisher !== this.publisher || publisher.status !== 'ready') return;
    publisher.disconnect(true);
  }

  /** Keeps a message whose PUBLISH failed, and sends it again every {@link REPUBLISH_MS}. */
  private retryLater(message: string): void {
    if (this.closed) return;
    if (this.pending.length === 0) {
      this.notice(
        'validation cache: a revocation could not be published on Redis; sending it again (other instances may accept the revoked token until it is through, at most validationCache.maxAgeSeconds).',
      );
    }
    this.pending.push({ message, until: this.now() + this.maxAgeMs });
    if (this.republishing !== undefined) return;
    this.republishing = setInterval(() => void this.republish(), REPUBLISH_MS);
    this.republishing.unref();
  }

  private async republish(): Promise<void> {
    if (this.republishRunning) return; // the last tick's attempt is still out
    this.republishRunning = true;
    try {
      await this.republishPending();
    } finally {
      this.republishRunning = false;
    }
  }

  private async republishPending(): Promise<void> {
    while (this.pending.length > 0 && !this.closed) {
      const next = this.pending[0];
      if (next === undefined) break;
      if (next.until <= this.now()) {
        this.pending.shift(); // no instance can hold an entry this old: nothing left to drop
        continue;
      }
      const publisher = this.publishing();
      try {
        await withTimeout(publisher.publish(this.channel, next.message), PUBLISH_TIMEOUT_MS);
      } catch {
        this.unstick(publisher);
        return; // still failing: the next tick tries again
      }
      this.pending.shift();
    }
    clearInterval(this.republishing);
    this.republishing = undefined;
  }

  close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    clearInterval(this.heartbeat);
    clearInterval(this.republishing);
    this.republishing = undefined;
    this.pending.length = 0;
    this.closed = true;
    // Lets a queued PUBLISH go out first (QUIT is queued behind it), but for a second at most:
    // with Redis away or the connection frozen, QUIT would wait for ever and hold the process
    // (recheck pen test). Then the connection is closed and stops reconnecting.
    const publisher = this.publisher;
    this.publisher = undefined;
    if (publisher !== undefined) {
      void withTimeout(publisher.quit(), PUBLISH_TIMEOUT_MS)
        .catch(() => undefined)
        .finally(() => {
          publisher.disconnect();
        });
    }
    this.connection++;
    this.listener?.down();
    this.listener = undefined;
    subscriber?.disconnect();
    return Promise.resolve();
  }
}
