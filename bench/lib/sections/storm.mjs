/**
 * Section `storm`: GET /users/me p99 on the library (SQLite) while logins at the configured
 * bcrypt cost saturate the password work, against the same process idle. One server for all
 * rounds; each round measures idle, then the storm (a fixed order: the storm's bcrypt backlog
 * must not leak into the idle window).
 */
import { cannon, measure } from '../load.mjs';
import { login, startServer } from '../processes.mjs';
import { runRounds } from '../rounds.mjs';
import { fmt, sleep } from '../util.mjs';
import { answeringAndWarm } from './common.mjs';

export async function storm(ctx) {
  const { options } = ctx;
  const server = await startServer(ctx.serverEnv('library', 'sqlite', ctx.isolation.sqlite));
  const rate = options.stormRate || undefined;
  try {
    // One closed-loop warm-up for the process; each round then measures idle, then the storm.
    await answeringAndWarm(server, options);
    await login(server.port, server.login);
    const one = { ...options, warmup: 0 };
    const measured = await runRounds({
      label: 'storm',
      entries: [{ id: 'idle' }, { id: 'storm' }],
      rounds: options.rounds,
      interleave: false,
      describe: (m) =>
        `p99 ${fmt(m.p99, 2)} ms (${fmt(m.rps)} req/s)${m.loginsPerSecond === undefined ? '' : ` | logins ${fmt(m.loginsPerSecond, 1)}/s`}`,
      run: async ({ id }, round) => {
        const name = `storm-${id === 'idle' ? 'idle' : 'logins'}-r${round + 1}`;
        if (id === 'idle') return measure(server, one, { rate, name });
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
        const stormed = await measure(server, one, { rate, name });
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
    return { rate: rate ?? null, library: server.library ?? null, ...measured };
  } finally {
    await server.stop();
  }
}
