/**
 * Section `anatomy`: what the example's path and the connection count add over the stripped
 * library server, one change at a time, all in bench server processes (so queries, CPU and the
 * pg pool can be counted, and --cpu-prof profiles each window) on the bench's PostgreSQL schema,
 * with one token each:
 *   stripped@10 / stripped@N      the stripped server at 10 and N connections (pool 10)
 *   -classTransformer@N           routing-controllers' `classTransformer: false` (its default,
 *                                 and the example's setting, is true: the response is run
 *                                 through instanceToPlain)
 *   -classTransformer-validation@N  … and `validation: false` too (default and example: true)
 *   example-app                   the example's own `createApp` (all its controllers)
 *   stripped pool 20 / example-app pool 20
 *                                 the same with a pool of 20 (pg's default is 10)
 *   passport-jwt@N                the baseline, for its pool numbers
 * Every server runs the pg pool probe (checkouts that queued for a client, and how long).
 */
import { runRounds } from '../rounds.mjs';
import { freshServerWindow } from './common.mjs';

export function anatomyEntries(n) {
  return [
    { id: 'stripped@10', auth: 'library', connections: 10 },
    { id: `stripped@${n}`, auth: 'library', connections: n },
    {
      id: `-classTransformer@${n}`,
      auth: 'library',
      connections: n,
      env: { BENCH_CLASS_TRANSFORMER: '0' },
    },
    {
      id: `-classTransformer-validation@${n}`,
      auth: 'library',
      connections: n,
      env: { BENCH_CLASS_TRANSFORMER: '0', BENCH_VALIDATION: '0' },
    },
    { id: `example-app@${n}`, auth: 'example-app', connections: n },
    {
      id: `stripped-pool20@${n}`,
      auth: 'library',
      connections: n,
      env: { BENCH_POOL_SIZE: '20' },
    },
    {
      id: `example-app-pool20@${n}`,
      auth: 'example-app',
      connections: n,
      env: { BENCH_POOL_SIZE: '20' },
    },
    { id: `passport-jwt@${n}`, auth: 'passport', connections: n },
  ];
}

export async function anatomy(ctx) {
  const { options } = ctx;
  return runRounds({
    label: 'anatomy',
    entries: anatomyEntries(options.anatomyConnections),
    rounds: options.rounds,
    run: ({ id, auth, connections, env }, round) =>
      freshServerWindow(
        ctx.serverEnv(auth, 'postgres', ctx.isolation.postgres, { BENCH_POOL_PROBE: '1', ...env }),
        options,
        { name: `anatomy-${id.replace('@', '-c')}-r${round + 1}`, connections, maxTokens: 1 },
      ),
  });
}
