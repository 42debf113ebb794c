import type { DataSource } from 'typeorm';

/**
 * Drivers with one shared connection: TypeORM runs every transaction of the DataSource on it, so
 * two concurrent transactions interleave (typeorm/typeorm#1884). Their writes are serialized per
 * DataSource instead.
 */
const SINGLE_CONNECTION = new Set([
  'better-sqlite3',
  'sqlite',
  'sqljs',
  'capacitor',
  'cordova',
  'expo',
  'react-native',
  'nativescript',
]);

/** One queue per DataSource, shared by every store built on it. */
const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs writes one at a time per DataSource on single-connection drivers; elsewhere it lets them
 * run side by side (each transaction has its own pooled connection).
 */
export class WriteQueue {
  private readonly serialized: boolean;

  /** @param dataSource - the DataSource whose writes are queued. */
  constructor(private readonly dataSource: DataSource) {
    this.serialized = SINGLE_CONNECTION.has(dataSource.options.type);
  }

  /** Runs `work` once every earlier write on this DataSource has settled (single-connection). */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.serialized) return work();
    const previous = queues.get(this.dataSource) ?? Promise.resolve();
    const run = previous.then(work, work);
    queues.set(
      this.dataSource,
      run.catch(() => undefined),
    );
    return run;
  }
}
