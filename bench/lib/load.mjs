/* global performance */
/**
 * Load generation, from the driver process (the servers are other processes): autocannon for
 * closed-loop windows, `paced` for an evenly paced open loop, and `measure`, one warm-up plus
 * one measured window with the server's counters read around it. Every running load is
 * registered, so the teardown can stop the load before it stops servers and drops schemas.
 */
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import autocannon from 'autocannon';
import { percentile, ROOT, sleep, withTimeout } from './util.mjs';

/** Stop functions of the loads now running. */
const running = new Set();

/** Stops every running load (autocannon instances and paced loops) and waits for them to end. */
export async function stopAllLoads() {
  await Promise.allSettled([...running].map((stop) => stop()));
}

/** The /users/me requests, one per token: every connection cycles through all of them. */
export const meRequests = (tokens) =>
  tokens.map((t) => ({
    method: 'GET',
    path: '/users/me',
    headers: { authorization: `Bearer ${t}` },
  }));

/**
 * One autocannon window. Latencies are taken from every 2xx response's own timing (float ms),
 * not from autocannon's whole-millisecond histogram. Returns `{ instance, result }`.
 */
export function cannon({ port, requests, duration, connections }) {
  const latencies = [];
  let instance;
  const done = new Promise((resolve, reject) => {
    instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        requests,
        duration,
        connections,
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  const stop = () => {
    instance.stop();
    return done.catch(() => undefined);
  };
  running.add(stop);
  const result = withTimeout(done, (duration + 30) * 1000, 'autocannon')
    .then((raw) => summarize(raw, latencies))
    .finally(() => {
      running.delete(stop);
      instance.stop();
    });
  return { instance, result };
}

function summarize(raw, latencies, { keepSamples = false } = {}) {
  const sorted = Float64Array.from(latencies).sort();
  const ok = sorted.length;
  return {
    ...(keepSamples && { samples: sorted }),
    rps: ok / raw.duration,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: ok ? sorted[ok - 1] : NaN,
    ok,
    errors: raw.errors + raw.timeouts,
    non2xx: raw.non2xx,
    seconds: raw.duration,
  };
}

/**
 * An evenly paced load: request i leaves at start + i / rate over a keep-alive pool, whatever
 * the answers do (open loop). autocannon's own rate limit sends each second's quota in one burst,
 * which measures a saturated server; this one measures latency at a steady, moderate load.
 * Latency runs from the moment a request is handed to the HTTP agent (so a stalled server shows).
 * Also returns the sorted latencies (`samples`), for percentiles pooled over several windows.
 * With `until` (a promise), no request leaves once it has settled, even before `duration` is over.
 */
export async function paced({ port, requests, duration, rate, until }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const total = Math.max(1, Math.round(rate * duration));
  const latencies = [];
  let errors = 0;
  let non2xx = 0;
  let stopped = false;
  let ended = false;
  until?.finally(() => (ended = true)).catch(() => undefined);
  const pending = [];
  const stop = async () => {
    stopped = true;
    agent.destroy();
    await Promise.all(pending);
  };
  running.add(stop);
  const one = ({ path: route, headers }) =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = http.request(
        { host: '127.0.0.1', port, path: route, agent, headers, timeout: 10_000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode >= 200 && res.statusCode < 300)
              latencies.push(performance.now() - t0);
            else non2xx++;
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const start = performance.now();
  try {
    for (let i = 0; i < total && !stopped && !ended; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait >= 1) await sleep(wait);
      pending.push(one(requests[i % requests.length]));
    }
    await Promise.all(pending);
  } finally {
    running.delete(stop);
    agent.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  return summarize({ duration: seconds, errors, timeouts: 0, non2xx }, latencies, {
    keepSamples: true,
  });
}

/**
 * Warm-up, then one measured window with the server's counters (queries, CPU time, pool probe,
 * validation cache hits) read around it. `connections` defaults to the options'; `maxTokens` limits the load to the
 * server's first tokens (default: all of them, one per seeded user).
 * With --cpu-prof, a bench server records a CPU profile of the measured window only, written to
 * bench/profiles/<name>-n<responses>.cpuprofile (the response count gives per-request costs);
 * for the example process the window is noted in `server.windows` (see `cropProfile`).
 * `until` (paced load only): the measured window ends when this promise settles, at the latest
 * after `options.duration`.
 */
export async function measure(server, options, { rate, name, connections, maxTokens, until } = {}) {
  const requests = meRequests(server.tokens.slice(0, maxTokens));
  const base = {
    port: server.port,
    requests,
    connections: connections ?? options.connections,
    rate,
  };
  if (until && !rate) throw new Error('measure: `until` needs a paced load (`rate`)');
  const load = (duration, end) =>
    rate ? paced({ ...base, duration, until: end }) : cannon({ ...base, duration }).result;
  if (options.warmup > 0) await load(options.warmup);
  const profiling = options.cpuProf && name !== undefined && server.profile !== undefined;
  const dir = path.join(ROOT, 'bench/profiles');
  const file = (responses) => path.join(dir, `${name}-n${responses}.cpuprofile`);
  let stopProfile;
  if (profiling) {
    mkdirSync(dir, { recursive: true });
    stopProfile = await server.profile();
  }
  const before = await server.stats();
  const startUs = process.hrtime.bigint() / 1000n;
  const result = await load(options.duration, until);
  const endUs = process.hrtime.bigint() / 1000n;
  const after = await server.stats();
  const responses = result.ok + result.non2xx;
  if (profiling) await stopProfile(file(responses));
  // A process profiled as a whole (the example under node --cpu-prof) is cropped to this window
  // once it has exited: V8's profile clock and hrtime are both CLOCK_MONOTONIC.
  if (options.cpuProf && name !== undefined && server.profile === undefined) {
    server.windows?.push({ file: file(responses), startUs: Number(startUs), endUs: Number(endUs) });
  }
  const per = (key) => (responses ? (after[key] - before[key]) / responses : NaN);
  const pool =
    after.pool && before.pool
      ? {
          size: after.pool.size,
          checkoutsPerRequest: (after.pool.checkouts - before.pool.checkouts) / responses,
          queuedShare:
            (after.pool.queued - before.pool.queued) /
            Math.max(1, after.pool.checkouts - before.pool.checkouts),
          waitMicrosPerRequest: (after.pool.waitMicros - before.pool.waitMicros) / responses,
          maxWaiting: after.pool.maxWaiting,
          holdMicrosPerCheckout:
            (after.pool.holdMicros - before.pool.holdMicros) /
            Math.max(1, after.pool.releases - before.pool.releases),
          // Share of the pool's client-time in use over the window (1 = every client always out).
          busyShare:
            (after.pool.holdMicros - before.pool.holdMicros) /
            (after.pool.size * result.seconds * 1e6),
        }
      : null;
  // The validation cache over the window, by its own counters (which, unlike the responses
  // counted here, include requests still in flight at the window's edges).
  const hits = after.cache && before.cache ? after.cache.hits - before.cache.hits : NaN;
  const misses = after.cache && before.cache ? after.cache.misses - before.cache.misses : NaN;
  const cache = Number.isFinite(hits)
    ? { hitRate: hits + misses > 0 ? hits / (hits + misses) : NaN, hits, misses }
    : undefined;
  return {
    ...result,
    queriesPerRequest: per('total'),
    storeQueriesPerRequest: per('store'),
    cpuMicrosPerRequest: per('cpuMicros'),
    pool,
    ...(after.loopDelay && { loopDelay: after.loopDelay }),
    ...(cache && { cache }),
  };
}
