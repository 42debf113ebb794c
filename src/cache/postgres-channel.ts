import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthConfigError } from '../errors/config-error';
import { messagesOf, type ChannelListener, type InvalidationChannel } from './channel';
import { decodeInvalidations, type Invalidation } from './events';
import { HEARTBEAT_MS, withTimeout } from './heartbeat';

/** What the channel uses of a pg `Client`. */
interface PgClient {
  connect(): Promise<void>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(
    event: 'notification',
    listener: (message: { channel: string; payload?: string }) => void,
  ): void;
  on(event: 'error' | 'end', listener: () => void): void;
}

type PgClientClass = new (options: Record<string, unknown>) => PgClient;

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7_900;
/** Reconnect backoff, ms: doubled from the first to the last. */
const RETRY_FIRST_MS = 50;
const RETRY_LAST_MS = 2_000;
/** How long the LISTEN connection may take to connect when the DataSource sets no timeout, ms. */
const LISTEN_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The pg `Client` class and connection options of a DataSource: the same driver TypeORM loaded,
 * with the options TypeORM gives its pool (`listenUrl` overrides where it connects).
 */
function clientFactory(dataSource: DataSource, listenUrl: string | undefined): () => PgClient {
  const driver = dataSource.driver as unknown as { postgres?: { Client?: PgClientClass } };
  const Client = driver.postgres?.Client;
  if (typeof Client !== 'function') {
    throw new AuthConfigError(
      'validationCache',
      'the DataSource has no pg driver to LISTEN with: give validationCache: { redis } instead.',
    );
  }
  const o = dataSource.options as unknown as Record<string, unknown>;
  const options: Record<string, unknown> = {
    connectionString: o.url,
    host: o.host,
    user: o.username,
    password: o.password,
    database: o.database,
    port: o.port,
    ssl: o.ssl,
    // A connect that hangs (a frozen link) is given up and tried again, not waited on for the
    // server's authentication_timeout (60 s by default): the cache is bypassed meanwhile anyway.
    connectionTimeoutMillis: o.connectTimeoutMS ?? LISTEN_CONNECT_TIMEOUT_MS,
    application_name: o.applicationName,
    ...(o.extra as Record<string, unknown> | undefined),
    ...(listenUrl === undefined ? {} : { connectionString: listenUrl }),
  };
  return () => new Client(options);
}

/**
 * @internal PostgreSQL LISTEN/NOTIFY. The NOTIFY is sent inside the revoking transaction, so it
 * is delivered only if the revocation commits, and after it. One dedicated connection LISTENs;
 * when it drops (or a heartbeat goes unanswered) the cache is told `down` at once and the channel
 * reconnects with backoff, then tells `up` (NOTIFY has no replay: the cache starts empty).
 *
 * The heartbeat, and the check before every `up`, is a NOTIFY sent through the DataSource's own
 * pool on a channel of this instance's alone, which the listening connection must hear: so a
 * listener that could never hear the revocations (a `listenUrl` on another database: NOTIFY
 * reaches only its own database — pen test) never counts as up, nor does one that died silently.
 */
export class PostgresChannel implements InvalidationChannel {
  readonly kind = 'postgres';
  private readonly connect: () => PgClient;
  private client: PgClient | undefined;
  private listener: ChannelListener | undefined;
  private closed = false;
  private retryMs = RETRY_FIRST_MS;
  private timer: NodeJS.Timeout | undefined;
  /** This instance's own channel for heartbeats: nobody else hears them. */
  private readonly beatChannel = `rca_beat_${randomBytes(12).toString('hex')}`;
  private beats = 0;
  /** Heartbeats sent and not heard yet, by payload. */
  private readonly awaited = new Map<string, () => void>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
    listenUrl?: string,
  ) {
    this.connect = clientFactory(dataSource, listenUrl);
  }

  start(listener: ChannelListener): void {
    this.listener = listener;
    void this.open();
  }

  private async open(): Promise<void> {
    const listener = this.listener;
    if (this.closed || listener === undefined) return;
    const client = this.connect();
    this.client = client;
    // Mutated by the callbacks below; an object so the checks after each await read it afresh.
    const state: { failed: boolean; heartbeat?: NodeJS.Timeout } = { failed: false };
    const fail = (): void => {
      if (state.failed) return;
      state.failed = true;
      clearInterval(state.heartbeat);
      if (this.client === client) this.client = undefined;
      listener.down();
      client.end().catch(() => undefined);
      this.retry();
    };
    client.on('error', fail);
    client.on('end', fail);
    client.on('notification', (message) => {
      if (message.channel === this.channel) {
        listener.received(decodeInvalidations(message.payload ?? ''));
      } else if (message.channel === this.beatChannel) {
        this.awaited.get(message.payload ?? '')?.();
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      await client.query(`LISTEN "${this.beatChannel}"`);
      await this.beat();
    } catch {
      fail();
      return;
    }
    if (this.gone(state)) return;
    this.retryMs = RETRY_FIRST_MS;
    listener.up();
    state.heartbeat = setInterval(() => {
      this.beat().catch(fail);
    }, HEARTBEAT_MS);
    state.heartbeat.unref();
  }

  /** Whether an attempt failed meanwhile or the channel closed (read after an await). */
  private gone(state: { readonly failed: boolean }): boolean {
    return state.failed || this.closed;
  }

  /**
   * One heartbeat: a NOTIFY through the DataSource's pool that the listening connection must hear
   * in time, else rejected.
   */
  private async beat(): Promise<void> {
    const payload = String(++this.beats);
    const heard = new Promise<void>((resolve) => this.awaited.set(payload, resolve));
    try {
      await withTimeout(
        this.dataSource
          .query('SELECT pg_notify($1, $2)', [this.beatChannel, payload])
          .then(() => heard),
      );
    } finally {
      this.awaited.delete(payload);
    }
  }

  private retry(): void {
    if (this.closed) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_LAST_MS);
    this.timer = setTimeout(() => {
      void this.open();
    }, wait);
    this.timer.unref();
  }

  async inTransaction(manager: EntityManager, events: readonly Invalidation[]): Promise<void> {
    for (const message of messagesOf(events, MAX_PAYLOAD)) {
      await manager.query('SELECT pg_notify($1, $2)', [this.channel, message]);
    }
  }

  publish(): Promise<void> {
    return Promise.resolve(); // sent inside the transaction
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.listener?.down();
    this.listener = undefined;
    if (client !== undefined) await client.end().catch(() => undefined);
  }
}
