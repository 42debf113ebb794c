/* global performance */
/**
 * Where a PostgreSQL window's time goes, from the database's side: `pg_stat_activity` sampled
 * every 20 ms from the driver (its own backend left out), with the machine's CPU from /proc/stat
 * and the WAL written from `pg_stat_wal`, read at the window's two ends. The purge section uses
 * it to say whether a slower /users/me waits on locks or IO in PostgreSQL, on the purge's
 * transaction, or only on the CPU the purge takes.
 *
 * Backends count as the window's once a sampled query of theirs names `schema` (the server's
 * pooled connections; their START TRANSACTION and COMMIT name no table). In these windows only
 * the purge opens transactions (/users/me is read-only, outside any): a sample of a backend is
 * the purge's when it runs a purge statement (DELETE, or the key SELECT of the two-step form) or
 * transaction control, or sits idle in a transaction. The pooled connection that ran a batch
 * serves requests afterwards, so this is decided per sample, not per backend.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import pg from 'pg';
import { rawServerUrl } from '../../build/bench/db.js';
import { sleep } from './util.mjs';

const INTERVAL_MS = 20;
const PURGE_SQL =
  /^\s*(DELETE FROM|SELECT "r"\.|START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SELECT pg_notify)/i;

/** Busy and IO-wait jiffies of the whole machine, and all of them. */
function cpuTimes() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1);
  const n = fields.map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  return { total, idle: n[3] + n[4], iowait: n[4] };
}

async function walBytes(client) {
  const { rows } = await client.query('SELECT wal_bytes::text AS b FROM pg_stat_wal');
  return Number(rows[0].b);
}

/**
 * Starts sampling. `stop()` resolves with shares of the samples (0–1): `purgeRunning` (the
 * purge's backend executing a statement), `purgeWaitingOnServer` (its transaction open, idle,
 * waiting for the server process's next statement), `requestsActive` (at least one other backend
 * of the window executing) and `requestsWaiting` (one of those in a named wait event: lock, LWLock
 * or IO; none means running or runnable on a CPU), `waits` (those events by name), plus
 * `machineBusyCores`, `ioWaitCores` and `walMBps` over the window.
 */
export async function sampleActivity(schema) {
  const client = new pg.Client({ connectionString: rawServerUrl('postgres') });
  await client.connect();
  const cpu0 = cpuTimes();
  const wal0 = await walBytes(client);
  const started = performance.now();
  const ours = new Set();
  const counts = {
    samples: 0,
    purgeRunning: 0,
    purgeWaitingOnServer: 0,
    requestsActive: 0,
    requestsWaiting: 0,
  };
  const waits = {};
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const tick = performance.now();
      const { rows } = await client.query(
        `SELECT pid, state, wait_event_type AS wt, wait_event AS w, query
           FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
            AND datname = current_database() AND state IS DISTINCT FROM 'idle'`,
      );
      counts.samples++;
      let purgeRunning = false;
      let purgeWaiting = false;
      let active = false;
      let waiting = false;
      for (const r of rows) {
        const query = r.query ?? '';
        if (query.includes(`"${schema}"`)) ours.add(r.pid);
        if (!ours.has(r.pid)) continue;
        if (r.state === 'idle in transaction') {
          purgeWaiting = true;
          continue;
        }
        if (PURGE_SQL.test(query)) {
          if (r.state === 'active') purgeRunning = true;
          continue;
        }
        if (r.state !== 'active') continue;
        active = true;
        if (r.wt !== null && r.wt !== 'Client') {
          waiting = true;
          const name = `${r.wt}:${r.w}`;
          waits[name] = (waits[name] ?? 0) + 1;
        }
      }
      counts.purgeRunning += purgeRunning ? 1 : 0;
      counts.purgeWaitingOnServer += purgeWaiting ? 1 : 0;
      counts.requestsActive += active ? 1 : 0;
      counts.requestsWaiting += waiting ? 1 : 0;
      await sleep(Math.max(0, INTERVAL_MS - (performance.now() - tick)));
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      const seconds = (performance.now() - started) / 1000;
      const cpu1 = cpuTimes();
      const wal1 = await walBytes(client);
      await client.end();
      const total = cpu1.total - cpu0.total;
      const n = Math.max(1, counts.samples);
      const cores = (x) => (total > 0 ? (x / total) * cpus().length : NaN);
      return {
        samples: counts.samples,
        purgeRunning: counts.purgeRunning / n,
        purgeWaitingOnServer: counts.purgeWaitingOnServer / n,
        requestsActive: counts.requestsActive / n,
        requestsWaiting: counts.requestsWaiting / n,
        waits: Object.fromEntries(Object.entries(waits).map(([k, v]) => [k, v / n])),
        machineBusyCores: cores(total - (cpu1.idle - cpu0.idle)),
        ioWaitCores: cores(cpu1.iowait - cpu0.iowait),
        walMBps: (wal1 - wal0) / 1e6 / seconds,
      };
    },
  };
}
