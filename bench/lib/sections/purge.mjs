/**
 * Section `purge`: GET /users/me p99 on the library (PostgreSQL) while the same process runs
 * `auth.tokens.purgeExpired()` over `--purge-rows` expired token rows (and half as many expired
 * sessions), against the same process idle. One server for all rounds; each round refills the
 * table (`fixtures.js grow-expired`, VACUUMed and CHECKPOINTed), warms up for 10 s and measures
 * idle (at least 10 s), then the purge: that window runs from the purge's start to its end, at the
 * same paced rate. Both windows are also sampled from PostgreSQL's side (`pg-activity.mjs`): where
 * the purge's time goes.
 */
import { measure } from '../load.mjs';
import { sampleActivity } from '../pg-activity.mjs';
import { ask, fixtures, startServer } from '../processes.mjs';
import { runRounds } from '../rounds.mjs';
import { fmt, log } from '../util.mjs';
import { answeringAndWarm } from './common.mjs';

/** The longest a purge may take before the run gives up on it. */
const PURGE_TIMEOUT_MS = 30 * 60_000;
/** The shortest idle window. */
const IDLE_MIN_SECONDS = 10;

export async function purge(ctx) {
  const { options } = ctx;
  const schema = `${ctx.runId}_purge`;
  await ctx.create('postgres', schema);
  const server = await startServer(ctx.serverEnv('library', 'postgres', schema));
  const rate = options.purgeRate;
  try {
    await answeringAndWarm(server, options);
    const one = { ...options, warmup: 0 };
    const measured = await runRounds({
      label: 'purge',
      entries: [{ id: 'idle' }, { id: 'purge' }],
      rounds: options.purgeRounds,
      interleave: false,
      describe: (m) =>
        `p99 ${fmt(m.p99, 2)} ms (${fmt(m.rps)} req/s, ${m.errors} failed, ${m.non2xx} non-2xx)${m.purgeMs === undefined ? '' : ` | purged ${m.purgedTokens} tokens + ${m.purgedSessions} sessions in ${fmt(m.purgeMs / 1000, 1)} s`}`,
      run: async ({ id }, round) => {
        if (id === 'idle') {
          const started = Date.now();
          const [filled] = await fixtures([
            'grow-expired',
            schema,
            String(options.purgeRows),
            String(options.users),
          ]);
          log(
            `purge r${round + 1}: ${filled.sessions} expired sessions and their tokens added (${filled.tokens} token rows now) in ${fmt((Date.now() - started) / 1000, 1)} s`,
          );
          // At least 10 s: a few seconds' p99 is one stall of the shared machine away from noise.
          // After a warm-up as long at the same rate: the first seconds after a fill are slow
          // whatever runs (measured: p99 2.2 s in a first 10 s window, 0.3 s in the next one).
          const idle = {
            ...one,
            warmup: IDLE_MIN_SECONDS,
            duration: Math.max(options.duration, IDLE_MIN_SECONDS),
          };
          const activity = await sampleActivity(schema);
          const window = await measure(server, idle, { rate, name: `purge-idle-r${round + 1}` });
          return { ...window, activity: await activity.stop() };
        }
        const activity = await sampleActivity(schema);
        const purging = ask(server, { type: 'purge' }, 'purged', PURGE_TIMEOUT_MS);
        const window = await measure(
          server,
          { ...one, duration: PURGE_TIMEOUT_MS / 1000 },
          { rate, name: `purge-running-r${round + 1}`, until: purging },
        );
        const done = await purging;
        if (done.error !== undefined) throw new Error(`purge failed: ${done.error}`);
        return {
          ...window,
          activity: await activity.stop(),
          purgeMs: done.ms,
          purgedTokens: done.tokens,
          purgedSessions: done.sessions,
          rowsPerSecond: (done.tokens + done.sessions) / (done.ms / 1000),
        };
      },
    });
    return { rate, rows: options.purgeRows, library: server.library ?? null, ...measured };
  } finally {
    await server.stop();
  }
}
