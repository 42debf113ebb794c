/** Section `throughput`: GET /users/me, no auth vs passport-jwt vs the library, per database. */
import { VARIANTS } from '../options.mjs';
import { runRounds } from '../rounds.mjs';
import { freshServerWindow } from './common.mjs';

export async function throughput(ctx) {
  const { options } = ctx;
  return runRounds({
    label: 'throughput',
    entries: options.variants.map((id) => ({ id, ...VARIANTS[id] })),
    rounds: options.rounds,
    run: ({ id, auth, db, env }, round) =>
      freshServerWindow(ctx.serverEnv(auth, db, ctx.isolation[db], env), options, {
        name: `throughput-${id}-r${round + 1}`,
      }),
  });
}
