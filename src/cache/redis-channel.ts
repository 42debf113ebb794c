import type { ChannelListener, InvalidationChannel } from './channel';
import { encodeInvalidations, decodeInvalidations, type Invalidation } from './events';
import type { InvalidationRedis, InvalidationRedisSubscriber } from './options';

/** Longest wait for a PUBLISH, ms: a revocation is never held up longer by Redis. */
const PUBLISH_TIMEOUT_MS = 1_000;

/**
 * @internal Redis pub/sub: publishes on the client given, after the revoking transaction
 * committed, and subscribes on a duplicate of it. The subscriber is `up` once its SUBSCRIBE is
 * confirmed (again after every reconnect: ioredis reconnects by itself) and `down` as soon as its
 * connection closes.
 */
export class RedisChannel implements InvalidationChannel {
  readonly kind = 'redis';
  private subscriber: InvalidationRedisSubscriber | undefined;
  private listener: ChannelListener | undefined;
  /** Moves on at every drop: a SUBSCRIBE confirmed for an older connection says nothing. */
  private connection = 0;

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
    if (connection === this.connection && this.subscriber === subscriber) listener.up();
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
    this.connection++;
    this.listener?.down();
    this.listener = undefined;
    subscriber?.disconnect();
    return Promise.resolve();
  }
}
