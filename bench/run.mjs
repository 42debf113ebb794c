#!/usr/bin/env node
/**
 * `npm run bench` — the benchmark driver (issue 5). It never asserts: it measures and reports.
 *
 * For each variant it starts a server in a child process (`build/bench/server.js`, or the
 * example app itself), waits until it answers, warms it up, then drives it with autocannon from
 * this process over loopback (the storm section's /users/me load is an evenly paced open loop
 * instead). Entries are interleaved over several rounds (the order rotates each round) and the
 * median is reported. Sections:
 *   throughput  GET /users/me: no auth, passport-jwt (baseline), the library; SQLite/PG/MariaDB
 *   storm       GET /users/me p99 on the library (SQLite) while logins at the configured bcrypt
 *               cost saturate the thread pool, against the same process idle
 *   growth      GET /users/me on the library (PostgreSQL) with 10k / 100k / 1M stored tokens
 *   example     the example app as users run it (npm run build:example; node build/example/main.js
 *               on a fresh PostgreSQL database) at 10 and 50 connections, against passport-jwt and
 *               the stripped library server at the same counts
 *   anatomy     what the example's path and the connection count add over the stripped server,
 *               one change at a time, with the pg pool's queueing counted
 *   revocation  with the validation cache on: a logout on server A until server B refuses the
 *               token (PostgreSQL NOTIFY, Redis pub/sub), two servers on one database
 *   purge       GET /users/me p99 on the library (PostgreSQL) while the same process purges 1M
 *               expired token rows in batches, against the same process idle
 *
 * Modules (bench/lib): options, util, processes (servers, example, fixtures), load (autocannon,
 * paced, measure), rounds (the one rounds-and-summary loop), sections/*, report.
 *
 * Usage: npm run bench [-- options]      (node bench/run.mjs --help lists them)
 * A full run writes bench/RESULTS.md and bench/results/<timestamp>.json; a --quick run
 * (or BENCH_QUICK=1) only prints, unless --write is given. Everything after the analysis marker
 * of RESULTS.md is kept.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopAllLoads } from './lib/load.mjs';
import { parseOptions, VARIANTS } from './lib/options.mjs';
import { FIXTURES, fixtures, killAll, SERVER, stopAllServers } from './lib/processes.mjs';
import { gitCommit, machineInfo, report, targets, writeFiles } from './lib/report.mjs';
import { anatomy } from './lib/sections/anatomy.mjs';
import { example } from './lib/sections/example.mjs';
import { growth } from './lib/sections/growth.mjs';
import { REVOCATION_CHANNELS, revocation } from './lib/sections/revocation.mjs';
import { purge } from './lib/sections/purge.mjs';
import { storm } from './lib/sections/storm.mjs';
import { throughput } from './lib/sections/throughput.mjs';
import { log, ROOT } from './lib/util.mjs';

const RUNNERS = { throughput, storm, growth, example, anatomy, revocation, purge };

/** The engines the chosen sections read: each gets its schema / database / file up front. */
function enginesOf(options) {
  const engines = new Set();
  if (options.sections.includes('throughput'))
    for (const id of options.variants) engines.add(VARIANTS[id].db);
  if (options.sections.includes('storm')) engines.add('sqlite');
  if (options.sections.includes('example') || options.sections.includes('anatomy'))
    engines.add('postgres');
  if (options.sections.includes('revocation'))
    for (const { db } of Object.values(REVOCATION_CHANNELS)) engines.add(db);
  return engines;
}

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
  const ctx = {
    options,
    runId,
    secret,
    isolation: { sqlite: path.join(tmp, 'bench.sqlite'), postgres: runId, mariadb: runId },
    /** Makes a schema (postgres) / database (mariadb) / file (sqlite) with the bench users. */
    create: async (engine, isolation) => {
      created.push(['drop', engine, isolation]);
      const out = await fixtures([
        'create',
        engine,
        isolation,
        String(options.users),
        String(options.bcryptCost),
      ]);
      databases[engine] ??= out.find((o) => o.version)?.version ?? 'unknown';
    },
    /** Makes an empty PostgreSQL database; resolves with its DATABASE_URL. */
    createDatabase: async (name) => {
      created.push(['drop-database', name]);
      const [{ url }] = await fixtures(['create-database', name]);
      return url;
    },
    serverEnv: (auth, db, isolation, extra = {}) => ({
      BENCH_VARIANT: auth,
      BENCH_DB: db,
      BENCH_ISOLATION: isolation,
      BENCH_SECRET: secret,
      BENCH_USERS: String(options.users),
      BENCH_BCRYPT_COST: String(options.bcryptCost),
      // The validation cache (when a variant turns it on) on a channel of this run's own, so
      // that parallel runs on one database or Redis do not hear each other's revocations.
      AUTH_VALIDATION_CACHE_CHANNEL: runId,
      BENCH_REDIS_URL: options.redisUrl,
      ...extra,
    }),
  };

  let cleaned = false;
  // In this order: no load reaches a server that is stopping, and no server still queries a
  // schema or database being dropped.
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await stopAllLoads();
    await stopAllServers().catch((error) => log(`stopping servers: ${error.message}`));
    killAll();
    for (const [command, ...args] of created.reverse()) {
      if (command === 'drop' && args[0] === 'sqlite') continue;
      await fixtures([command, ...args]).catch((error) =>
        log(`could not ${command} ${args.join(' ')}: ${error.message}`),
      );
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    log(`${signal}: stopping the load and the servers, dropping bench schemas`);
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results = {};
  try {
    await Promise.all(
      [...enginesOf(options)].map((engine) => ctx.create(engine, ctx.isolation[engine])),
    );
    log(
      `run ${runId}: ${options.sections.join(', ')}; ${options.rounds} round(s) × ${options.warmup}+${options.duration} s, ${options.connections} connections`,
    );
    for (const section of options.sections) results[section] = await RUNNERS[section](ctx);
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
      targets: targets(results, options),
    });
}

main().catch((error) => {
  killAll();
  console.error('[bench] failed:', error?.stack ?? error);
  process.exit(1);
});
