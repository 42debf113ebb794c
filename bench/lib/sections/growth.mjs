/** Section `growth`: GET /users/me on the library (PostgreSQL) over token tables of growing size. */
import { fixtures } from '../processes.mjs';
import { runRounds } from '../rounds.mjs';
import { log } from '../util.mjs';
import { freshServerWindow } from './common.mjs';

export async function growth(ctx) {
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
  return runRounds({
    label: 'growth',
    entries: options.growthSizes.map((size) => ({ id: String(size), size })),
    rounds: options.rounds,
    run: ({ size }, round) =>
      freshServerWindow(ctx.serverEnv('library', 'postgres', schemas[size]), options, {
        name: `growth-${size}-r${round + 1}`,
      }),
  });
}
