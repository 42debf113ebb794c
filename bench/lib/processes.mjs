/* global fetch, AbortSignal */
/**
 * The processes the driver starts: the bench servers (`build/bench/server.js`, forked with an IPC
 * channel), the example app as users run it (`node build/example/main.js`, no IPC), and the
 * fixtures runs. Every one is registered so that the teardown can stop them all, gracefully
 * first (after the load has stopped), by SIGKILL as the last resort.
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { log, ROOT, sleep, withTimeout } from './util.mjs';

export const SERVER = path.join(ROOT, 'build/bench/server.js');
export const FIXTURES = path.join(ROOT, 'build/bench/fixtures.js');
export const EXAMPLE_MAIN = path.join(ROOT, 'build/example/main.js');

const children = new Set();
/** Running servers (bench servers and example processes), each with its graceful `stop`. */
const servers = new Set();

/** Registers a child process for {@link killAll}; returns it. */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Last resort (a crash of the driver): SIGKILL every child still running. */
export function killAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

/** Stops every running server gracefully (each lets its requests in flight finish). */
export async function stopAllServers() {
  await Promise.all([...servers].map((server) => server.stop()));
}

/** Runs fixtures.js; resolves with the JSON lines it printed. */
export function fixtures(args) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const child = track(fork(FIXTURES, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }));
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.on('error', reject);
      child.on('exit', (code) => {
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

/** Waits until `child` exits (bounded by `ms`), then SIGKILLs it. */
async function exitOf(child, ms, what) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await withTimeout(exited, ms, what);
  } catch {
    log(`${what}: no exit within ${ms} ms, killing it`);
    child.kill('SIGKILL');
    await exited;
  }
}

/** Sends `message` to a bench server and waits (bounded) for its `replyType` answer. */
export function ask(server, message, replyType, timeoutMs = 30_000) {
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
    timeoutMs,
    `server ${message.type}`,
  );
}

/**
 * Starts one bench server child and waits for its `ready` message. The handle's `stats()` gives
 * the query counts, CPU time and pool probe (running totals); `profile()` starts a CPU profile
 * and resolves with `stop(file)`, which writes it.
 */
export function startServer(env) {
  const child = track(
    fork(SERVER, [], {
      env: { ...process.env, ...env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
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
  return withTimeout(ready, 60_000, 'server start').then((info) => {
    const server = {
      kind: 'bench',
      child,
      port: info.port,
      tokens: info.tokens,
      login: info.login,
      library: info.library,
      stats: () => ask(server, { type: 'stats' }, 'stats'),
      profile: async () => {
        await ask(server, { type: 'profile-start' }, 'profile-started');
        return (file) => ask(server, { type: 'profile-stop', file }, 'profile-written');
      },
      stop: async () => {
        servers.delete(server);
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.send({ type: 'stop' });
        await exitOf(child, 10_000, 'server stop');
      },
    };
    servers.add(server);
    return server;
  });
}

/**
 * Writes the samples of a whole-process V8 CPU profile that fall in [startUs, endUs] (monotonic
 * µs, the clock of both V8's profiler and process.hrtime on Linux) to `file`.
 */
function cropProfile(wholeFile, { file, startUs, endUs }) {
  const profile = JSON.parse(readFileSync(wholeFile, 'utf8'));
  const samples = [];
  const timeDeltas = [];
  let t = profile.startTime;
  let last = startUs;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < startUs || t > endUs) continue;
    samples.push(profile.samples[i]);
    timeDeltas.push(t - last);
    last = t;
  }
  if (samples.length === 0) {
    log(`profile ${path.basename(file)}: no samples in the window (clock mismatch?)`);
    return;
  }
  writeFileSync(
    file,
    JSON.stringify({ ...profile, startTime: startUs, endTime: last, samples, timeDeltas }),
  );
}

/** A free loopback port. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

let clockTicks;
/** user + system CPU of a process from /proc/<pid>/stat, µs (Linux; 1/CLK_TCK resolution). */
function procCpuMicros(pid) {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" closing the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
}

/**
 * Runs the built example exactly as `npm start` does after its build (`node
 * build/example/main.js`), with `env` (DATABASE_URL, AUTH_SECRET_KEY, ...) and a free PORT;
 * waits (bounded) until `/health` answers 200. The example has no IPC: `stats()` reads its CPU
 * time from /proc and has no query counts. `cpuProfDir`: run it under `node --cpu-prof`
 * (the profile is written when it exits after SIGTERM).
 */
export async function startExample(env, { cpuProfDir } = {}) {
  const port = await freePort();
  const profileFile = cpuProfDir ? path.join(cpuProfDir, `example-${port}.whole.json`) : undefined;
  const args = profileFile
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${cpuProfDir}`,
        `--cpu-prof-name=${path.basename(profileFile)}`,
        EXAMPLE_MAIN,
      ]
    : [EXAMPLE_MAIN];
  const child = track(
    spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const server = {
    kind: 'example',
    child,
    port,
    tokens: [],
    output: () => output,
    stats: async () => ({
      cpuMicros: procCpuMicros(child.pid),
      total: NaN,
      store: NaN,
      pool: null,
    }),
    windows: [],
    stop: async () => {
      servers.delete(server);
      if (child.exitCode !== null || child.signalCode !== null) return;
      // The example's own SIGTERM handler closes the server, then its DataSource.
      child.kill('SIGTERM');
      await exitOf(child, 10_000, 'example stop');
      if (profileFile && existsSync(profileFile)) {
        for (const window of server.windows) cropProfile(profileFile, window);
        rmSync(profileFile, { force: true });
      }
    },
  };
  servers.add(server);
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`example exited early (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await server.stop();
  throw new Error(`example did not become healthy in 30 s:\n${output}`);
}

/** Logs in through the app's `POST /auth/login`; resolves with the access token. */
export async function login(port, credentials) {
  const res = await fetch(`http://127.0.0.1:${port}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /auth/login answered ${res.status}: ${text}`);
  return JSON.parse(text).access_token;
}

/**
 * After a load has stopped, waits until the requests it left behind have had their database
 * work done: one more GET /users/me queues behind them on the pool (pg-pool serves checkouts
 * first come, first served), so once it is answered they have been served too; 200 ms more for
 * their last queries. For the example app, whose SIGTERM handler closes its DataSource as soon as
 * the HTTP server has no connections left, whatever its requests still wait for.
 */
export async function settle(server) {
  await fetch(`http://127.0.0.1:${server.port}/users/me`, {
    headers: { authorization: `Bearer ${server.tokens[0]}` },
    signal: AbortSignal.timeout(30_000),
  }).then(
    (res) => res.arrayBuffer(),
    () => undefined,
  );
  await sleep(200);
}

/** Bounded wait until the server answers GET /users/me with 200 for its first token. */
export async function waitUntilAnswering(server) {
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

/**
 * Bounded wait (`ms`) until a bench server's validation cache listens on its channel (the cache
 * answers nothing before). Resolves with the cache's counters then (`listening` still false if
 * it timed out), or `null` at once for a server without the cache.
 */
export async function waitUntilCacheListening(server, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const { cache } = await server.stats();
    if (!cache || cache.listening || Date.now() >= deadline) return cache ?? null;
    await sleep(50);
  }
}

/**
 * GET /users/me once with each of the server's tokens, one after the other: every token has been
 * seen once (for the validation cache, its first use is a miss by design). autocannon's
 * connections walk the token list in step, so a short warm-up at a low rate may not reach them all.
 */
export async function touchEveryToken(server) {
  for (const token of server.tokens) {
    const res = await fetch(`http://127.0.0.1:${server.port}/users/me`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
  }
}
