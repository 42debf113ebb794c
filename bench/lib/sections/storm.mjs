/**
 * Section `storm`: GET /users/me p99 on the library (SQLite) while logins at the configured
 * bcrypt cost saturate the password work, against the same process idle. One server for all
 * rounds; each round measures idle, then the storm (a fixed order: the storm's bcrypt backlog
 * must not leak into the idle window).
 *
 * On the shared machine one window's p99 (the 8th-slowest of 800 requests) moves with whatever
 * else runs then (idle p99 per round went 8 → 1116 ms in one run), so the target is read as the
 * median over rounds of each round's storm / idle ratio (the two windows of a round are adjacent,
 * so they share the machine's load most) and the p99 of all rounds' samples pooled is reported
 * beside it. The server's event-loop delay in each window says whether /users/me waited for the
 * event loop (CPU) or for something else.
 *
 * A control window between the two (`burner`) takes the storm's CPU shape without the library:
 * as many busy loops as the library has bcrypt slots (`passwordConcurrency`), at the same nice,
 * in processes of their own, and no logins. What the storm adds over the burner is the login
 * path's own (its SQLite writes, its responses, the worker messages); what the burner adds over
 * idle is the machine's (cores taken from the server and from this load generator).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { cannon, measure } from '../load.mjs';
import { login, startServer, track } from '../processes.mjs';
import { runRounds } from '../rounds.mjs';
import { fmt, median, percentile, sleep } from '../util.mjs';
import { answeringAndWarm } from './common.mjs';

/**
 * `count` busy loops at nice `nice`, each a process of its own; `stop()` kills them and waits.
 * Each ends by itself after `maxMs` too, and the driver's last-resort `killAll` knows them: a
 * crashed run leaves no busy loop behind on the shared machine.
 */
function burners(count, nice, maxMs) {
  const loop = `const end = Date.now() + ${Math.ceil(maxMs)}; while (Date.now() < end) {}`;
  const children = Array.from({ length: count }, () => {
    const child = track(spawn(process.execPath, ['-e', loop], { stdio: 'ignore' }));
    if (child.pid !== undefined) os.setPriority(child.pid, nice);
    return child;
  });
  return {
    stop: () =>
      Promise.all(
        children.map(
          (child) =>
            new Promise((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', resolve);
              child.kill('SIGKILL');
            }),
        ),
      ),
  };
}

/** p50 / p99 of every sample of some windows, pooled. */
function pooled(windows) {
  const all = Float64Array.from(windows.flatMap((w) => [...w])).sort();
  return { n: all.length, p50: percentile(all, 0.5), p99: percentile(all, 0.99) };
}

export async function storm(ctx) {
  const { options } = ctx;
  // The storm logs user 1 in again and again from 127.0.0.1. Under the default cap of 50 sessions
  // a user its logins would evict the session of user 1's own token in the /users/me load (401s);
  // and each login the busy hasher sheds (503) counts against the IP, so after 100 of them the
  // throttle refuses every login for 15 minutes (429s) and the storm stops. Neither is speed.
  const server = await startServer(
    ctx.serverEnv('library', 'sqlite', ctx.isolation.sqlite, {
      AUTH_MAX_SESSIONS_PER_USER: '1000000',
      AUTH_THROTTLE: 'off',
    }),
  );
  const rate = options.stormRate || undefined;
  try {
    // One closed-loop warm-up for the process; each round then measures idle, then the storm.
    await answeringAndWarm(server, options);
    await login(server.port, server.login);
    const one = { ...options, warmup: 0 };
    const samples = { idle: [], burner: [], storm: [] };
    const measureWindow = async (id, name) => {
      const { samples: latencies, ...m } = await measure(server, one, { rate, name });
      samples[id].push(latencies ?? []);
      return m;
    };
    const measured = await runRounds({
      label: 'storm',
      entries: [{ id: 'idle' }, { id: 'burner' }, { id: 'storm' }],
      rounds: options.rounds,
      interleave: false,
      describe: (m) =>
        `p99 ${fmt(m.p99, 2)} ms (${fmt(m.rps)} req/s)${m.loginsPerSecond === undefined ? '' : ` | logins ${fmt(m.loginsPerSecond, 1)}/s`}`,
      run: async ({ id }, round) => {
        const name = `storm-${id === 'storm' ? 'logins' : id}-r${round + 1}`;
        if (id === 'idle') return measureWindow('idle', name);
        if (id === 'burner') {
          const busy = burners(
            server.library?.passwordConcurrency ?? 1,
            server.library?.passwordNice ?? 10,
            (options.duration + 30) * 1000,
          );
          try {
            return await measureWindow('burner', name);
          } finally {
            await busy.stop();
          }
        }
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
        const stormed = await measureWindow('storm', name);
        logins.instance.stop();
        const l = await logins.result;
        // Let the bcrypt work still queued in the server drain before the next idle window.
        if (round + 1 < options.rounds) await sleep(1500);
        return {
          ...stormed,
          loginsPerSecond: l.rps,
          loginP50: l.p50,
          loginErrors: l.errors + l.non2xx,
        };
      },
    });
    const ratios = [];
    const burnerRatios = [];
    for (let round = 0; round < options.rounds; round++) {
      const [idle, burned, stormed] = ['idle', 'burner', 'storm'].map(
        (id) => measured.rounds.find((r) => r.round === round && r.id === id)?.p99,
      );
      if (idle > 0 && Number.isFinite(stormed)) ratios.push(stormed / idle);
      if (idle > 0 && Number.isFinite(burned)) burnerRatios.push(burned / idle);
    }
    return {
      rate: rate ?? null,
      library: server.library ?? null,
      ...measured,
      ratios,
      medianRatio: ratios.length > 0 ? median(ratios) : NaN,
      burnerRatios,
      burnerMedianRatio: burnerRatios.length > 0 ? median(burnerRatios) : NaN,
      pooled: {
        idle: pooled(samples.idle),
        burner: pooled(samples.burner),
        storm: pooled(samples.storm),
      },
    };
  } finally {
    await server.stop();
  }
}
