#!/usr/bin/env node
/* global fetch, AbortSignal, clearTimeout, performance */
/**
 * `npm run bench` — the benchmark driver (issue 5). It never asserts: it measures and reports.
 *
 * For each variant it starts `build/bench/server.js` in a child process, waits until the server
 * answers, warms it up, then drives it with autocannon from this process over loopback (the
 * storm section's /users/me load is an evenly paced open loop instead, see `paced`).
 * Variants are interleaved over several rounds (the order rotates each round) and the median is
 * reported. Sections:
 *   throughput  GET /users/me: no auth, passport-jwt (baseline), the library; SQLite/PG/MariaDB
 *   storm       GET /users/me p99 on the library (SQLite) while logins at the configured bcrypt
 *               cost saturate the thread pool, against the same process idle
 *   growth      GET /users/me on the library (PostgreSQL) with 10k / 100k / 1M stored tokens
 *
 * Usage: npm run bench [-- options]      (node bench/run.mjs --help lists them)
 * A full run writes bench/RESULTS.md and bench/results/<timestamp>.json; a --quick run only
 * prints, unless --write is given. Everything after the "Analysis" marker of RESULTS.md is kept.
 */
import { execFileSync, fork } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = path.join(ROOT, 'build/bench/server.js');
const FIXTURES = path.join(ROOT, 'build/bench/fixtures.js');
const ANALYSIS_MARKER = '<!-- analysis: kept across runs -->';

/** Every variant: how the route authenticates and which database it reads. */
const VARIANTS = {
  none: { auth: 'none', db: 'sqlite', label: 'none (no auth, fixed user)' },
  'passport-jwt': { auth: 'passport', db: 'sqlite', label: 'passport-jwt (baseline)' },
  'library-sqlite': { auth: 'library', db: 'sqlite', label: 'routing-controllers-auth' },
  'passport-jwt-pg': { auth: 'passport', db: 'postgres', label: 'passport-jwt (baseline)' },
  'library-pg': { auth: 'library', db: 'postgres', label: 'routing-controllers-auth' },
  'passport-jwt-mariadb': { auth: 'passport', db: 'mariadb', label: 'passport-jwt (baseline)' },
  'library-mariadb': { auth: 'library', db: 'mariadb', label: 'routing-controllers-auth' },
};
const BASELINE_OF = {
  sqlite: 'passport-jwt',
  postgres: 'passport-jwt-pg',
  mariadb: 'passport-jwt-mariadb',
};
const DB_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL', mariadb: 'MariaDB' };
const SECTIONS = ['throughput', 'storm', 'growth'];

const HELP = `npm run bench -- [options]
  --quick                 smoke run (< 1 min with the build): 1 round, 0.5+1.5 s windows, growth at 1k/10k;
                          prints only (add --write to write RESULTS.md / results/)
  --duration <s>          measured window per variant and round (default 4; quick 1.5)
  --warmup <s>            warm-up before each measured window (default 2; quick 0.5)
  --connections <n>       autocannon connections for /users/me (default 10)
  --rounds <n>            interleaved rounds; the median is reported (default 5; quick 1)
  --variants <a,b,...>    throughput variants (default all): ${Object.keys(VARIANTS).join(', ')}
  --sections <a,b,...>    ${SECTIONS.join(', ')} (default all)
  --users <n>             seeded users, one token each, rotated by the load (default 50)
  --bcrypt-cost <n>       library bcrypt cost (default AUTH_BCRYPT_COST or 12)
  --storm-connections <n> concurrent POST /auth/login during the storm (default 8)
  --storm-rate <n>        req/s of /users/me in the storm section, idle and storm alike, evenly
                          paced (open loop); 0 = autocannon closed loop at --connections (default 200)
  --growth-sizes <a,...>  stored-token counts (default 10000,100000,1000000; quick 1000,10000)
  --cpu-prof              CPU-profile each measured window (bench/profiles/*.cpuprofile, git-ignored)
  --write / --no-write    write RESULTS.md and results/<timestamp>.json (default: yes unless --quick)`;

// ---- options ----------------------------------------------------------------------------------

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      variants: { type: 'string' },
      sections: { type: 'string' },
      users: { type: 'string' },
      'bcrypt-cost': { type: 'string' },
      'storm-connections': { type: 'string' },
      'storm-rate': { type: 'string' },
      'growth-sizes': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      write: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = values.quick;
  const num = (name, fallback, min = 0) => {
    const raw = values[name];
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min)
      throw new Error(`--${name} must be a number >= ${min}`);
    return value;
  };
  const list = (name, fallback, allowed) => {
    const items =
      values[name] === undefined
        ? fallback
        : values[name]
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    for (const item of items) {
      if (allowed && !allowed.includes(item))
        throw new Error(`--${name}: unknown "${item}" (use ${allowed.join(', ')})`);
    }
    return items;
  };
  const growthSizes = list(
    'growth-sizes',
    quick ? ['1000', '10000'] : ['10000', '100000', '1000000'],
  ).map(Number);
  if (growthSizes.some((n) => !Number.isSafeInteger(n) || n < 1))
    throw new Error('--growth-sizes must be positive integers');
  return {
    quick,
    duration: num('duration', quick ? 1.5 : 4, 0.5),
    warmup: num('warmup', quick ? 0.5 : 2, 0),
    connections: Math.round(num('connections', 10, 1)),
    rounds: Math.round(num('rounds', quick ? 1 : 5, 1)),
    variants: list('variants', Object.keys(VARIANTS), Object.keys(VARIANTS)),
    sections: list('sections', SECTIONS, SECTIONS),
    users: Math.round(num('users', 50, 1)),
    // Servers run with NODE_ENV=production, where the library refuses a cost below 10.
    bcryptCost: Math.round(num('bcrypt-cost', Number(process.env.AUTH_BCRYPT_COST || 12), 10)),
    stormConnections: Math.round(num('storm-connections', 8, 1)),
    stormRate: Math.round(num('storm-rate', 200, 0)),
    growthSizes: [...new Set(growthSizes)].sort((a, b) => a - b),
    cpuProf: values['cpu-prof'],
    write: values['no-write'] ? false : (values.write ?? !quick),
  };
}

// ---- small helpers ----------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (...args) => console.error('[bench]', ...args);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest-rank percentile of sorted values. */
const percentile = (sorted, q) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const rotate = (xs, by) => xs.map((_, i) => xs[(i + by) % xs.length]);
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const fmtRatio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---- child processes --------------------------------------------------------------------------

const children = new Set();

function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

/** Runs fixtures.js; resolves with the JSON lines it printed. */
function fixtures(args) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const child = fork(FIXTURES, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
      children.add(child);
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.on('error', reject);
      child.on('exit', (code) => {
        children.delete(child);
        if (code !== 0)
          return reject(new Error(`fixtures ${args.join(' ')} failed (exit ${code})`));
        resolve(
          out
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line)),
        );
      });
    }),
    180_000,
    `fixtures ${args[0]}`,
  );
}

/** Starts one server child and waits for its `ready` message. */
function startServer(env) {
  const child = fork(SERVER, [], {
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const ready = new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message?.type === 'ready') resolve(message);
    });
    child.once('exit', (code) =>
      reject(
        new Error(
          `server ${env.BENCH_VARIANT}@${env.BENCH_DB} exited (${code}) before it was ready`,
        ),
      ),
    );
    child.once('error', reject);
  });
  return withTimeout(ready, 60_000, 'server start').then((info) => ({ child, ...info }));
}

/** Sends `message` to the server and waits (bounded) for its `replyType` answer. */
function ask(server, message, replyType) {
  return withTimeout(
    new Promise((resolve) => {
      const onMessage = (reply) => {
        if (reply?.type !== replyType) return;
        server.child.off('message', onMessage);
        resolve(reply);
      };
      server.child.on('message', onMessage);
      server.child.send(message);
    }),
    30_000,
    `server ${message.type}`,
  );
}

const serverStats = (server) => ask(server, { type: 'stats' }, 'stats');

async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'stop' });
  try {
    await withTimeout(exited, 5_000, 'server stop');
  } catch {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Bounded wait until the server answers GET /users/me with 200 for its first token. */
async function waitUntilAnswering(server) {
  let last = 'no answer';
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/users/me`, {
        headers: { authorization: `Bearer ${server.tokens[0]}` },
        signal: AbortSignal.timeout(2_000),
      });
      const body = await res.text();
      if (res.status === 200) return;
      last = `${res.status} ${body.slice(0, 200)}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(100);
  }
  throw new Error(`server on port ${server.port} does not answer GET /users/me: ${last}`);
}

// ---- load -------------------------------------------------------------------------------------

/** The /users/me requests, one per token: every connection cycles through all users. */
const meRequests = (tokens) =>
  tokens.map((t) => ({
    method: 'GET',
    path: '/users/me',
    headers: { authorization: `Bearer ${t}` },
  }));

/**
 * One autocannon window. Latencies are taken from every 2xx response's own timing (float ms),
 * not from autocannon's whole-millisecond histogram.
 */
function cannon({ port, requests, duration, connections }) {
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
  const result = withTimeout(done, (duration + 30) * 1000, 'autocannon').then((raw) =>
    summarize(raw, latencies),
  );
  return { instance, result };
}

function summarize(raw, latencies) {
  const sorted = Float64Array.from(latencies).sort();
  const ok = sorted.length;
  return {
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
 */
async function paced({ port, requests, duration, rate }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const total = Math.max(1, Math.round(rate * duration));
  const latencies = [];
  let errors = 0;
  let non2xx = 0;
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
  const pending = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    pending.push(one(requests[i % requests.length]));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return summarize({ duration: seconds, errors, timeouts: 0, non2xx }, latencies);
}

/**
 * Warm-up, then one measured window with the server's query count and CPU time around it.
 * With --cpu-prof, the server records a CPU profile of the measured window only, written to
 * bench/profiles/<name>-n<responses>.cpuprofile (the response count gives per-request costs).
 */
async function measure(server, options, { rate, name } = {}) {
  const requests = meRequests(server.tokens);
  const base = { port: server.port, requests, connections: options.connections, rate };
  const load = (duration) =>
    rate ? paced({ ...base, duration }) : cannon({ ...base, duration }).result;
  if (options.warmup > 0) await load(options.warmup);
  const profiling = options.cpuProf && name !== undefined;
  if (profiling) await ask(server, { type: 'profile-start' }, 'profile-started');
  const before = await serverStats(server);
  const result = await load(options.duration);
  const after = await serverStats(server);
  const responses = result.ok + result.non2xx;
  if (profiling) {
    const dir = path.join(ROOT, 'bench/profiles');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}-n${responses}.cpuprofile`);
    await ask(server, { type: 'profile-stop', file }, 'profile-written');
  }
  return {
    ...result,
    queriesPerRequest: responses ? (after.total - before.total) / responses : NaN,
    storeQueriesPerRequest: responses ? (after.store - before.store) / responses : NaN,
    cpuMicrosPerRequest: responses ? (after.cpuMicros - before.cpuMicros) / responses : NaN,
  };
}

// ---- sections ---------------------------------------------------------------------------------

async function throughput(ctx) {
  const { options } = ctx;
  const rounds = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const id of rotate(options.variants, round)) {
      const { auth, db } = VARIANTS[id];
      const server = await startServer(ctx.serverEnv(auth, db, ctx.isolation[db]));
      try {
        await waitUntilAnswering(server);
        const m = await measure(server, options, { name: `throughput-${id}-r${round + 1}` });
        rounds.push({ round, variant: id, ...m });
        log(
          `throughput r${round + 1} ${id.padEnd(20)} ${fmt(m.rps)} req/s  p50 ${fmt(m.p50, 2)} ms  p99 ${fmt(m.p99, 2)} ms  q/req ${fmt(m.queriesPerRequest, 2)}  cpu ${fmt(m.cpuMicrosPerRequest)} µs/req  err ${m.errors + m.non2xx}`,
        );
      } finally {
        await stopServer(server);
      }
    }
  }
  const summary = {};
  for (const id of options.variants) {
    const rs = rounds.filter((r) => r.variant === id);
    summary[id] = {
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
      queriesPerRequest: median(rs.map((r) => r.queriesPerRequest)),
      storeQueriesPerRequest: median(rs.map((r) => r.storeQueriesPerRequest)),
      cpuMicrosPerRequest: median(rs.map((r) => r.cpuMicrosPerRequest)),
      rpsPerRound: rs.map((r) => r.rps),
    };
  }
  return { rounds, summary };
}

async function storm(ctx) {
  const { options } = ctx;
  const server = await startServer(ctx.serverEnv('library', 'sqlite', ctx.isolation.sqlite));
  const rate = options.stormRate || undefined;
  const rounds = [];
  try {
    await waitUntilAnswering(server);
    const login = await fetch(`http://127.0.0.1:${server.port}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(server.login),
      signal: AbortSignal.timeout(30_000),
    });
    if (login.status !== 200)
      throw new Error(`POST /auth/login answered ${login.status}: ${await login.text()}`);
    // One closed-loop warm-up for the process; each round then measures idle, then under the storm.
    if (options.warmup > 0) {
      await cannon({
        port: server.port,
        requests: meRequests(server.tokens),
        duration: options.warmup,
        connections: options.connections,
      }).result;
    }
    const one = { ...options, warmup: 0 };
    for (let round = 0; round < options.rounds; round++) {
      const idle = await measure(server, one, { rate, name: `storm-idle-r${round + 1}` });
      const ramp = 1;
      const logins = cannon({
        port: server.port,
        requests: [
          {
            method: 'POST',
            path: '/auth/login',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(server.login),
          },
        ],
        duration: ramp + options.duration + 5,
        connections: options.stormConnections,
      });
      await sleep(ramp * 1000);
      const stormed = await measure(server, one, { rate, name: `storm-logins-r${round + 1}` });
      logins.instance.stop();
      const loginResult = await logins.result;
      // Let the bcrypt work still queued in the server drain before the next idle window.
      if (round + 1 < options.rounds) await sleep(1500);
      rounds.push({
        round,
        idle,
        storm: stormed,
        logins: {
          perSecond: loginResult.rps,
          p50: loginResult.p50,
          errors: loginResult.errors + loginResult.non2xx,
        },
      });
      log(
        `storm r${round + 1} idle p99 ${fmt(idle.p99, 2)} ms (${fmt(idle.rps)} req/s) | storm p99 ${fmt(stormed.p99, 2)} ms (${fmt(stormed.rps)} req/s) | logins ${fmt(loginResult.rps, 1)}/s`,
      );
    }
  } finally {
    await stopServer(server);
  }
  const pick = (key, field) => median(rounds.map((r) => r[key][field]));
  return {
    rate: rate ?? null,
    library: server.library ?? null,
    rounds,
    summary: {
      idle: {
        rps: pick('idle', 'rps'),
        p50: pick('idle', 'p50'),
        p99: pick('idle', 'p99'),
        errors: rounds.reduce((n, r) => n + r.idle.errors + r.idle.non2xx, 0),
      },
      storm: {
        rps: pick('storm', 'rps'),
        p50: pick('storm', 'p50'),
        p99: pick('storm', 'p99'),
        errors: rounds.reduce((n, r) => n + r.storm.errors + r.storm.non2xx, 0),
      },
      loginsPerSecond: pick('logins', 'perSecond'),
      loginP50: pick('logins', 'p50'),
      loginErrors: rounds.reduce((n, r) => n + r.logins.errors, 0),
    },
  };
}

async function growth(ctx) {
  const { options } = ctx;
  const schemas = {};
  for (const size of options.growthSizes) {
    const schema = `${ctx.runId}_g${size}`;
    const started = Date.now();
    await ctx.create('postgres', schema);
    const [filled] = await fixtures(['grow', schema, String(size), String(options.users)]);
    schemas[size] = schema;
    log(
      `growth: ${filled.tokens} stored tokens (${filled.sessions} sessions) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const rounds = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const size of rotate(options.growthSizes, round)) {
      const server = await startServer(ctx.serverEnv('library', 'postgres', schemas[size]));
      try {
        await waitUntilAnswering(server);
        const m = await measure(server, options, { name: `growth-${size}-r${round + 1}` });
        rounds.push({ round, size, ...m });
        log(
          `growth r${round + 1} ${String(size).padStart(8)} rows ${fmt(m.rps)} req/s  p99 ${fmt(m.p99, 2)} ms  q/req ${fmt(m.queriesPerRequest, 2)}  cpu ${fmt(m.cpuMicrosPerRequest)} µs/req`,
        );
      } finally {
        await stopServer(server);
      }
    }
  }
  const summary = {};
  for (const size of options.growthSizes) {
    const rs = rounds.filter((r) => r.size === size);
    summary[size] = {
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
      queriesPerRequest: median(rs.map((r) => r.queriesPerRequest)),
      cpuMicrosPerRequest: median(rs.map((r) => r.cpuMicrosPerRequest)),
    };
  }
  return { rounds, summary };
}

// ---- report -----------------------------------------------------------------------------------

function targets(results) {
  const out = [];
  const t = results.throughput?.summary;
  const ratio = (id, db) => {
    const base = t?.[BASELINE_OF[db]] ?? t?.['passport-jwt'];
    return t?.[id] && base ? t[id].rps / base.rps : NaN;
  };
  const check = (name, value, goal, ok, note = '') =>
    out.push({
      name,
      value,
      goal,
      result: Number.isFinite(value) ? (ok(value) ? 'PASS' : 'MISS') : 'not run',
      note,
    });
  const pgBase = t?.['passport-jwt-pg'] ? 'passport-jwt on PostgreSQL' : 'passport-jwt on SQLite';
  check(
    'library on PostgreSQL vs baseline (req/s)',
    ratio('library-pg', 'postgres'),
    '≥ 0.85×',
    (v) => v >= 0.85,
    `against ${pgBase}`,
  );
  check(
    'library on SQLite vs baseline (req/s)',
    ratio('library-sqlite', 'sqlite'),
    '≥ 0.95×',
    (v) => v >= 0.95,
    'against passport-jwt on SQLite',
  );
  const s = results.storm?.summary;
  check(
    'p99 during login storm vs idle',
    s ? s.storm.p99 / s.idle.p99 : NaN,
    '≤ 1.5×',
    (v) => v <= 1.5,
    s ? `${fmt(s.idle.p99, 2)} → ${fmt(s.storm.p99, 2)} ms` : '',
  );
  const g = results.growth?.summary;
  check(
    'req/s at 1M stored tokens vs 10k',
    g?.[1_000_000] && g?.[10_000] ? g[1_000_000].rps / g[10_000].rps : NaN,
    '≥ 0.83×',
    (v) => v >= 0.83,
    'PostgreSQL',
  );
  return out;
}

function report(results, options, machine, wallSeconds) {
  const lines = [];
  lines.push('# Benchmark results', '');
  lines.push(
    '<!-- Written by `npm run bench` (bench/run.mjs). Everything above the analysis marker is replaced on each full run. -->',
    '',
  );
  lines.push(
    `- **Run:** ${machine.date}, wall time ${fmt(wallSeconds)} s${options.quick ? ' (--quick)' : ''}`,
  );
  lines.push(
    `- **Machine:** ${machine.nproc} cores (\`nproc\`), ${machine.cpu}, ${machine.memGiB} GiB RAM, ${machine.os}; load average (1/5/15 min) ${machine.loadavg.start.map((x) => x.toFixed(2)).join(' / ')} at start, ${machine.loadavg.end.map((x) => x.toFixed(2)).join(' / ')} at end`,
  );
  lines.push(
    `- **Software:** routing-controllers-auth at ${machine.commit}; Node ${machine.node}; ${Object.entries(
      machine.databases,
    )
      .map(([db, v]) => `${DB_LABEL[db]} ${v}`)
      .join(
        ', ',
      )}; autocannon 8 in the driver process on the same machine (load generator, servers and databases share the ${machine.nproc} cores)`,
  );
  lines.push(
    `- **Options:** ${options.duration} s measured after ${options.warmup} s warm-up, ${options.connections} connections, ${options.rounds} interleaved round(s), median reported; ${options.users} users each with a token, rotated by the load; bcrypt cost ${options.bcryptCost}; HS256 with a \`createSecretKey\` KeyObject for both passport-jwt and the library; pools at driver defaults (pg 10, mysql2 10); SQLite file via better-sqlite3`,
  );
  lines.push(
    `- **Latency:** p50 / p99 from each 2xx response's own time (float ms). **Errors:** connection errors + timeouts + non-2xx.`,
    '',
  );

  const t = results.throughput?.summary;
  if (t) {
    lines.push('## Throughput: `GET /users/me`', '');
    lines.push(
      '| variant | DB | requests/s | p50 ms | p99 ms | errors | queries/req (store) | server CPU µs/req | × baseline req/s, same DB | × baseline CPU/req | per round (req/s) |',
    );
    lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const id of options.variants) {
      const v = VARIANTS[id];
      const s = t[id];
      const base = t[BASELINE_OF[v.db]];
      lines.push(
        `| ${v.label} | ${DB_LABEL[v.db]} | ${fmt(s.rps)} | ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ${s.errors} | ${fmt(s.queriesPerRequest, 2)} (${fmt(s.storeQueriesPerRequest, 2)}) | ${fmt(s.cpuMicrosPerRequest)} | ${base ? fmtRatio(s.rps / base.rps) : '—'} | ${base ? fmtRatio(s.cpuMicrosPerRequest / base.cpuMicrosPerRequest) : '—'} | ${s.rpsPerRound.map((x) => fmt(x)).join(', ')} |`,
      );
    }
    lines.push(
      '',
      '`none` runs on SQLite (the same file as the SQLite baseline); each ratio is against passport-jwt on the same database engine. ' +
        '"server CPU µs/req" is the server process\'s own user+system CPU time over the measured window divided by its responses: unlike requests/s it hardly moves when other processes load the machine (it excludes the database server\'s CPU).',
      '',
    );
  }
  const s = results.storm?.summary;
  if (s) {
    lines.push('## Login storm: `GET /users/me` on the library (SQLite), same process', '');
    lines.push(
      `Load on /users/me: ${results.storm.rate ? `${results.storm.rate} req/s, evenly paced (open loop, keep-alive pool)` : `closed loop over ${options.connections} connections`}, idle and during the storm alike, ${options.duration} s windows, one server process for all rounds. Storm: ${options.stormConnections} connections looping \`POST /auth/login\` (bcrypt cost ${results.storm.library?.bcryptCost ?? options.bcryptCost}, library \`passwordConcurrency\` ${results.storm.library?.passwordConcurrency ?? '?'}, libuv pool ${process.env.UV_THREADPOOL_SIZE ?? 4} threads).`,
      '',
    );
    lines.push('| window | requests/s | p50 ms | p99 ms | errors |');
    lines.push('| --- | ---: | ---: | ---: | ---: |');
    lines.push(
      `| idle | ${fmt(s.idle.rps)} | ${fmt(s.idle.p50, 2)} | ${fmt(s.idle.p99, 2)} | ${s.idle.errors} |`,
    );
    lines.push(
      `| login storm (${fmt(s.loginsPerSecond, 1)} logins/s, login p50 ${fmt(s.loginP50)} ms) | ${fmt(s.storm.rps)} | ${fmt(s.storm.p50, 2)} | ${fmt(s.storm.p99, 2)} | ${s.storm.errors} |`,
    );
    lines.push(
      '',
      `p99 storm / idle: **${fmtRatio(s.storm.p99 / s.idle.p99)}**. Per round, p99 idle → storm (ms): ${results.storm.rounds.map((r) => `${fmt(r.idle.p99, 2)} → ${fmt(r.storm.p99, 2)}`).join('; ')}.`,
      '',
    );
  }
  const g = results.growth?.summary;
  if (g) {
    lines.push('## Table growth: `GET /users/me` on the library (PostgreSQL)', '');
    lines.push(
      'Rows bulk-inserted (`INSERT … SELECT generate_series`) into `auth_sessions` / `auth_tokens` (two tokens per session, 1 in 10 revoked), then ANALYZE; each size in its own schema, sizes interleaved over the rounds.',
      '',
    );
    lines.push(
      '| stored tokens | requests/s | p50 ms | p99 ms | errors | queries/req | server CPU µs/req | × smallest |',
    );
    lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const first = g[options.growthSizes[0]];
    for (const size of options.growthSizes) {
      const r = g[size];
      lines.push(
        `| ${size.toLocaleString('en-US')} | ${fmt(r.rps)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.errors} | ${fmt(r.queriesPerRequest, 2)} | ${fmt(r.cpuMicrosPerRequest)} | ${fmtRatio(r.rps / first.rps)} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Targets (reported, never asserted)', '');
  lines.push('| target | measured | goal | result | note |');
  lines.push('| --- | ---: | --- | --- | --- |');
  for (const x of targets(results))
    lines.push(
      `| ${x.name} | ${Number.isFinite(x.value) ? `${x.value.toFixed(3)}×` : '—'} | ${x.goal} | ${x.result} | ${x.note} |`,
    );
  lines.push('');
  return lines.join('\n');
}

/** The commit measured, and whether src/ had uncommitted changes (the bench builds the work tree). */
function gitCommit() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'src') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function machineInfo(databases, loadStart, commit) {
  const cpus = os.cpus();
  return {
    loadavg: { start: loadStart, end: os.loadavg() },
    date: new Date().toISOString(),
    nproc: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown CPU',
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit,
    databases,
  };
}

async function writeFiles(markdown, json) {
  const resultsMd = path.join(ROOT, 'bench/RESULTS.md');
  let kept = `${ANALYSIS_MARKER}\n\n## Analysis\n\n(Where the time goes: see the profile notes added here.)\n`;
  if (existsSync(resultsMd)) {
    const old = readFileSync(resultsMd, 'utf8');
    const at = old.indexOf(ANALYSIS_MARKER);
    if (at >= 0) kept = old.slice(at);
  }
  let text = `${markdown}\n${kept}`;
  try {
    // Keep `npm run format:check` clean: the file is formatted the way Prettier would.
    const prettier = await import('prettier');
    text = await prettier.format(text, {
      ...(await prettier.resolveConfig(resultsMd)),
      filepath: resultsMd,
    });
  } catch (error) {
    log(`RESULTS.md left unformatted (${error.message})`);
  }
  writeFileSync(resultsMd, text);
  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${json.machine.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, resultsMd)} and ${path.relative(ROOT, file)}`);
}

// ---- main -------------------------------------------------------------------------------------

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const loadStart = os.loadavg();
  // `npm run bench` has just built this tree: the commit (and src/ state) is what is measured.
  const commit = gitCommit();
  for (const file of [SERVER, FIXTURES]) {
    if (!existsSync(file))
      throw new Error(
        `${path.relative(ROOT, file)} is missing: run "npm run bench" (it builds first)`,
      );
  }
  const started = Date.now();
  const runId = `rca_bench_${randomBytes(4).toString('hex')}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rca-bench-'));
  const secret = randomBytes(48).toString('base64url');
  const created = [];
  const databases = {};
  const create = async (engine, isolation) => {
    created.push([engine, isolation]);
    const out = await fixtures([
      'create',
      engine,
      isolation,
      String(options.users),
      String(options.bcryptCost),
    ]);
    databases[engine] ??= out.find((o) => o.version)?.version ?? 'unknown';
  };
  const ctx = {
    options,
    runId,
    create,
    isolation: { sqlite: path.join(tmp, 'bench.sqlite'), postgres: runId, mariadb: runId },
    serverEnv: (auth, db, isolation) => ({
      BENCH_VARIANT: auth,
      BENCH_DB: db,
      BENCH_ISOLATION: isolation,
      BENCH_SECRET: secret,
      BENCH_USERS: String(options.users),
      BENCH_BCRYPT_COST: String(options.bcryptCost),
    }),
  };

  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    killAll();
    for (const [engine, isolation] of created) {
      if (engine === 'sqlite') continue;
      await fixtures(['drop', engine, isolation]).catch((error) =>
        log(`could not drop ${engine} ${isolation}: ${error.message}`),
      );
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    log(`${signal}: stopping servers and dropping bench schemas`);
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results = {};
  try {
    const engines = new Set();
    if (options.sections.includes('throughput'))
      for (const id of options.variants) engines.add(VARIANTS[id].db);
    if (options.sections.includes('storm')) engines.add('sqlite');
    await Promise.all([...engines].map((engine) => create(engine, ctx.isolation[engine])));
    log(
      `run ${runId}: ${options.sections.join(', ')}; ${options.rounds} round(s) × ${options.warmup}+${options.duration} s, ${options.connections} connections`,
    );
    if (options.sections.includes('throughput')) results.throughput = await throughput(ctx);
    if (options.sections.includes('storm')) results.storm = await storm(ctx);
    if (options.sections.includes('growth')) results.growth = await growth(ctx);
  } finally {
    await cleanup();
  }
  const wallSeconds = (Date.now() - started) / 1000;
  const machine = machineInfo(databases, loadStart, commit);
  const markdown = report(results, options, machine, wallSeconds);
  console.log(`\n${markdown}`);
  if (options.write)
    await writeFiles(markdown, {
      machine,
      options,
      wallSeconds,
      results,
      targets: targets(results),
    });
}

main().catch((error) => {
  killAll();
  console.error('[bench] failed:', error?.stack ?? error);
  process.exit(1);
});
