import type { ChannelListener, InvalidationChannel } from './channel';
import { encodeInvalidations, decodeInvalidations, type Invalidation } from './events';
import { HEARTBEAT_MS, withTimeout } from './heartbeat';
import type { InvalidationRedis, InvalidationRedisSubscriber } from './options';

/** Longest wait for a PUBLISH, ms: a revocation is never held up longer by Redis. */
const PUBLISH_TIMEOUT_MS = 1_000;

/**
 * @internal Redis pub/sub: publishes on the client given, after the revoking transaction
 * committed, and subscribes on a duplicate of it. The subscriber is `up` once its SUBSCRIBE is
 * confirmed (again after every reconnect: ioredis reconnects by itself) and `down` as soon as its
 * connection closes, or a heartbeat PING goes unanswered (then it reconnects).
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

  constructor(
    private readonly redis: InvalidationRedis,
    private readonly channel: string,
  ) {}

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
   * Publishes after the commit. A failed or slow PUBLISH does not fail the revocation (it is
   * committed): the instances that miss it keep an entry at most `maxAgeSeconds`; while Redis
   * is unreachable for them too, their subscribers are down and their caches bypassed.
   */
  async publish(events: readonly Invalidation[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, PUBLISH_TIMEOUT_MS);
      timer.unref();
    });
    await Promise.race([
      this.redis.publish(this.channel, encodeInvalidations(events)).catch(() => undefined),
      timeout,
    ]);
    clearTimeout(timer);
  }

  close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    clearInterval(this.heartbeat);
    this.connection++;
    this.listener?.down();
    this.listener = undefined;
    subscriber?.disconnect();
    return Promise.resolve();
  }
}
