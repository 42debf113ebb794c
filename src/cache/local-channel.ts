import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { ChannelListener, InvalidationChannel } from './channel';
import type { Invalidation } from './events';

/** Listeners by bus: every setup of the process on one database file shares one. */
const buses = new Map<string, Set<ChannelListener>>();
/** In-memory databases: one bus per DataSource (nothing else can open the same database). */
const memoryBuses = new WeakMap<DataSource, string>();
let memoryCount = 0;

function busKey(dataSource: DataSource, channel: string): string {
  const database = (dataSource.options as { database?: unknown }).database;
  if (typeof database === 'string' && database !== '' && database !== ':memory:') {
    return `file:${path.resolve(database)}:${channel}`;
  }
  let key = memoryBuses.get(dataSource);
  if (key === undefined) memoryBuses.set(dataSource, (key = `memory:${++memoryCount}`));
  return `${key}:${channel}`;
}

/**
 * @internal The in-process channel (SQLite): every setup of this process on the same database
 * hears every invalidation, synchronously, as the revoking call returns. It is always up. It
 * does not reach other processes: several processes on one SQLite file need `redis`.
 */
export class LocalChannel implements InvalidationChannel {
  readonly kind = 'local';
  private listener: ChannelListener | undefined;
  private readonly key: string;

  constructor(dataSource: DataSource, channel: string) {
    this.key = busKey(dataSource, channel);
  }

  private bus(): Set<ChannelListener> {
    let bus = buses.get(this.key);
    if (bus === undefined) buses.set(this.key, (bus = new Set()));
    return bus;
  }

  start(listener: ChannelListener): void {
    this.listener = listener;
    this.bus().add(listener);
    listener.up();
  }

  inTransaction(): Promise<void> {
    return Promise.resolve();
  }

  publish(events: readonly Invalidation[]): Promise<void> {
    for (const listener of buses.get(this.key) ?? []) listener.received(events);
    return Promise.resolve();
  }

  close(): Promise<void> {
    const bus = buses.get(this.key);
    if (bus !== undefined && this.listener !== undefined) {
      bus.delete(this.listener);
      if (bus.size === 0) buses.delete(this.key);
    }
    this.listener?.down();
    this.listener = undefined;
    return Promise.resolve();
  }
}
