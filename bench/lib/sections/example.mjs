/**
 * Section `example`: the example app as users run it (issue 12, item 0). Builds it as `npm start`
 * does (`npm run build:example`), runs `node build/example/main.js` on a fresh PostgreSQL
 * database through DATABASE_URL (the example creates its tables itself; under NODE_ENV=production
 * it seeds no demo user, so one start without it seeds them first), logs alice in over HTTP and drives GET /users/me with her token, at each connection count,
 * interleaved with the passport-jwt baseline and the stripped library server at the same
 * counts. Every variant here is driven with one token, as the example is with alice's.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { measure } from '../load.mjs';
import { login, settle, startExample, waitUntilAnswering } from '../processes.mjs';
import { runRounds } from '../rounds.mjs';
import { log, ROOT } from '../util.mjs';
import { freshServerWindow } from './common.mjs';

/** The example's demo user (DESIGN.md). */
const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };

/** What each kind of entry is, for the report. */
export const EXAMPLE_KINDS = {
  example: 'example app (`node build/example/main.js`)',
  passport: 'passport-jwt (baseline)',
  library: 'routing-controllers-auth, stripped server',
};

/** `npm run build:example`, its output on stderr (stdout carries the report). */
export function buildExample() {
  const started = Date.now();
  execFileSync('npm', ['run', '--silent', 'build:example'], {
    cwd: ROOT,
    stdio: ['ignore', 2, 2],
  });
  log(`example: npm run build:example in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function example(ctx) {
  const { options } = ctx;
  if (options.exampleBuild) buildExample();
  const url = await ctx.createDatabase(`${ctx.runId}_example`);
  const cpuProfDir = options.cpuProf ? path.join(ROOT, 'bench/profiles') : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const exampleEnv = {
    DATABASE_URL: url,
    NODE_ENV: 'production',
    AUTH_SECRET_KEY: ctx.secret,
  };
  // Under NODE_ENV=production the example seeds no demo user (their passwords are public): one
  // start in development mode seeds alice into the fresh database, then every round runs in production.
  const seeding = await startExample({ ...exampleEnv, NODE_ENV: 'development' });
  await seeding.stop();
  const entries = options.exampleConnections.flatMap((connections) =>
    Object.keys(EXAMPLE_KINDS).map((kind) => ({ id: `${kind}@${connections}`, kind, connections })),
  );
  const result = await runRounds({
    label: 'example',
    entries,
    rounds: options.rounds,
    run: async ({ id, kind, connections }, round) => {
      const name = `example-${id.replace('@', '-c')}-r${round + 1}`;
      if (kind !== 'example') {
        return freshServerWindow(ctx.serverEnv(kind, 'postgres', ctx.isolation.postgres), options, {
          name,
          connections,
          maxTokens: 1,
        });
      }
      const server = await startExample(exampleEnv, { cpuProfDir });
      try {
        server.tokens = [await login(server.port, ALICE)];
        await waitUntilAnswering(server);
        const m = await measure(server, options, { name, connections });
        await settle(server);
        return m;
      } finally {
        await server.stop();
      }
    },
  });
  return { database: url.replace(/\/\/[^@/]*@/, '//'), ...result };
}
