import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';

/** What the probe has counted since the process started (running totals). */
export interface PoolCounts {
  /** `pool.connect` calls: TypeORM's query runners and the store's `pool.query` alike. */
  checkouts: number;
  /** Checkouts that found no idle client and the pool at its size, so they queued. */
  queued: number;
  /** Total time the queued checkouts waited for a client, µs. */
  waitMicros: number;
  /** The longest queue seen (`pool.waitingCount` when a checkout queued). */
  maxWaiting: number;
  /** Total time clients stayed checked out (acquire → release), µs. */
  holdMicros: number;
  /** Releases seen (the `holdMicros` count). */
  releases: number;
  /** The pool's size (`max`). */
  size: number;
}

/** A probe on a DataSource's pg pool. */
export interface PoolProbe {
  snapshot(): PoolCounts;
}

/** The slice of pg-pool's `Pool` the probe reads and wraps. */
interface PgPool {
  connect: (callback?: (...results: unknown[]) => void) => unknown;
  on(event: 'acquire', listener: (client: object) => void): unknown;
  on(event: 'release', listener: (error: unknown, client: object) => void): unknown;
  readonly idleCount: number;
  readonly totalCount: number;
  readonly waitingCount: number;
  readonly options: { max: number };
}

function isPgPool(value: unknown): value is PgPool {
  const pool = value as Partial<PgPool> | null | undefined;
  return typeof pool?.connect === 'function' && typeof pool.options?.max === 'number';
}

/**
 * Wraps the pg pool behind a PostgreSQL DataSource (`driver.master`) to count checkouts that
 * had to wait for a client, and for how long. Both lookups of a library request check a client
 * out (TypeORM's runner for the user, the store's prepared `pool.query` for the token), so
 * with more concurrent requests than half the pool some of them queue. Also sums how long
 * clients stay checked out (pg-pool's `acquire` / `release` events). `undefined` on other
 * engines. Bench instrumentation only: a closure per queued checkout, two events per checkout.
 */
export function probePool(ds: DataSource): PoolProbe | undefined {
  const pool: unknown = (ds.driver as { master?: unknown }).master;
  if (ds.options.type !== 'postgres' || !isPgPool(pool)) return undefined;
  const counts: PoolCounts = {
    checkouts: 0,
    queued: 0,
    waitMicros: 0,
    maxWaiting: 0,
    holdMicros: 0,
    releases: 0,
    size: pool.options.max,
  };
  // How long each client is held: its query's round trip plus the wait for the event loop to
  // run the code that releases it (long when the process is saturated).
  const acquired = new WeakMap<object, number>();
  pool.on('acquire', (client) => {
    acquired.set(client, performance.now());
  });
  pool.on('release', (_error, client) => {
    const since = acquired.get(client);
    if (since === undefined) return;
    counts.holdMicros += (performance.now() - since) * 1000;
    counts.releases++;
  });
  const connect = pool.connect.bind(pool);
  // pg-pool's own `query()` calls `this.connect(cb)`, so an own property catches it too.
  pool.connect = (callback) => {
    counts.checkouts++;
    const queued = pool.idleCount === 0 && pool.totalCount >= pool.options.max;
    if (!queued || callback === undefined) return connect(callback);
    counts.queued++;
    counts.maxWaiting = Math.max(counts.maxWaiting, pool.waitingCount + 1);
    const started = performance.now();
    return connect((...results) => {
      counts.waitMicros += (performance.now() - started) * 1000;
      callback(...results);
    });
  };
  return { snapshot: () => ({ ...counts }) };
}
