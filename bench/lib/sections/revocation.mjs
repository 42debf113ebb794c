/* global performance */
/**
 * Section `revocation`: how long a logout on one instance takes to be refused by another (issue
 * 12 §3, target max < 100 ms). Per channel and round, two library servers A and B on one database
 * with the validation cache on, on the run's own channel. Per trial, with one of their seeded
 * access tokens (each a session of its own): B serves GET /users/me twice (the second answer must
 * come from B's cache, read from its hit counter), A answers POST /auth/logout (204), then B is
 * polled back to back, one request at a time, until it answers 401. Latency: from the end of A's
 * logout response to the end of B's first 401; B's last 200 after the logout (a stale answer) is
 * kept too. Trials of every round are pooled for p50 / p99 / max.
 */
import http from 'node:http';
import { startServer, waitUntilAnswering, waitUntilCacheListening } from '../processes.mjs';
import { runRounds } from '../rounds.mjs';
import { fmt, log, percentile } from '../util.mjs';

/** The channels measured: the database both servers share, and the server environment. */
export const REVOCATION_CHANNELS = {
  'postgres-notify': { db: 'postgres', label: 'PostgreSQL LISTEN/NOTIFY', env: {} },
  'mariadb-redis': {
    db: 'mariadb',
    label: 'Redis pub/sub (MariaDB)',
    env: { BENCH_CACHE_REDIS: '1' },
  },
  'postgres-redis': {
    db: 'postgres',
    label: 'Redis pub/sub (PostgreSQL)',
    env: { BENCH_CACHE_REDIS: '1' },
  },
};

/** A trial whose B still answers 200 this long after the logout is given up (counted, ≥ this). */
export const REVOCATION_DEADLINE_MS = 5000;

/** One request over `agent`; resolves with its status and the time its body ended. */
function call(agent, port, method, route, token) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: route,
        agent,
        headers: { authorization: `Bearer ${token}` },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, at: performance.now() }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${route}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

/** B's cache hits so far. */
const hitsOf = async (server) => (await server.stats()).cache?.hits ?? 0;

/** One logout on A, B polled until 401. */
async function trial(a, b, token) {
  const warm = await hitsOf(b.server);
  for (let i = 0; i < 2; i++) {
    const { status } = await call(b.agent, b.server.port, 'GET', '/users/me', token);
    if (status !== 200) throw new Error(`B answered ${status} before the logout`);
  }
  const hot = (await hitsOf(b.server)) > warm;
  const logout = await call(a.agent, a.server.port, 'POST', '/auth/logout', token);
  if (logout.status !== 204) throw new Error(`POST /auth/logout on A answered ${logout.status}`);
  const t0 = logout.at;
  let lastOk = null;
  let polls = 0;
  for (;;) {
    const { status, at } = await call(b.agent, b.server.port, 'GET', '/users/me', token);
    polls++;
    if (status === 401) return { latency: at - t0, lastOk, polls, hot, timedOut: false };
    if (status !== 200) throw new Error(`B answered ${status} after the logout`);
    lastOk = at - t0;
    if (lastOk >= REVOCATION_DEADLINE_MS)
      return { latency: lastOk, lastOk, polls, hot, timedOut: true };
  }
}

/** Pooled over all trials of one channel. */
export function pooled(trials) {
  const sorted = Float64Array.from(trials.map((t) => t.latency)).sort();
  const stale = trials.filter((t) => t.lastOk !== null);
  return {
    trials: trials.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    timedOut: trials.filter((t) => t.timedOut).length,
    stale: stale.length,
    lastOkMax: stale.length ? Math.max(...stale.map((t) => t.lastOk)) : NaN,
    hot: trials.filter((t) => t.hot).length,
    polls: trials.reduce((sum, t) => sum + t.polls, 0),
  };
}

export async function revocation(ctx) {
  const { options } = ctx;
  const perRound = Math.ceil(options.revocationTrials / options.rounds);
  const result = await runRounds({
    label: 'revocation',
    entries: Object.entries(REVOCATION_CHANNELS).map(([id, c]) => ({ id, ...c })),
    rounds: options.rounds,
    describe: (m) =>
      `${m.trials} trials  p50 ${fmt(m.p50, 2)} ms  p99 ${fmt(m.p99, 2)} ms  max ${fmt(m.max, 2)} ms  stale 200s ${m.stale}  hot ${m.hot}/${m.trials}`,
    run: async ({ id, db, env }) => {
      const serverEnv = ctx.serverEnv('library', db, ctx.isolation[db], {
        AUTH_VALIDATION_CACHE: 'on',
        ...env,
      });
      const servers = await Promise.all([startServer(serverEnv), startServer(serverEnv)]);
      const [a, b] = servers.map((server) => ({
        server,
        agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
      }));
      try {
        for (const { server } of [a, b]) {
          await waitUntilAnswering(server);
          if (!(await waitUntilCacheListening(server))?.listening)
            throw new Error(`revocation ${id}: the validation cache's channel is not listening`);
        }
        // Each seeded token is a session of its own: one per trial.
        const tokens = [...a.server.tokens, ...b.server.tokens];
        if (tokens.length < perRound)
          log(`revocation ${id}: ${tokens.length} tokens for ${perRound} trials (raise --users)`);
        const trials = [];
        for (const token of tokens.slice(0, perRound)) trials.push(await trial(a, b, token));
        return { ...pooled(trials), trialList: trials };
      } finally {
        for (const { agent } of [a, b]) agent.destroy();
        await Promise.all(servers.map((server) => server.stop()));
      }
    },
  });
  const summary = {};
  for (const id of Object.keys(REVOCATION_CHANNELS)) {
    summary[id] = pooled(result.rounds.filter((r) => r.id === id).flatMap((r) => r.trialList));
  }
  return { perRound, rounds: result.rounds, summary };
}
