/** The variants, sections and command-line options of `npm run bench`. */
import { parseArgs } from 'node:util';

/**
 * Every throughput variant: how the route authenticates, which database it reads, and any
 * environment of its own for the server (the library reads `AUTH_*` from it).
 */
export const VARIANTS = {
  none: { auth: 'none', db: 'sqlite', label: 'none (no auth, fixed user)' },
  'passport-jwt': { auth: 'passport', db: 'sqlite', label: 'passport-jwt (baseline)' },
  'library-sqlite': { auth: 'library', db: 'sqlite', label: 'routing-controllers-auth' },
  'library-sqlite-cache': {
    auth: 'library',
    db: 'sqlite',
    label: 'routing-controllers-auth, validation cache (in-process)',
    env: { AUTH_VALIDATION_CACHE: 'on' },
  },
  'passport-jwt-pg': { auth: 'passport', db: 'postgres', label: 'passport-jwt (baseline)' },
  'library-pg': { auth: 'library', db: 'postgres', label: 'routing-controllers-auth' },
  'library-pg-cache': {
    auth: 'library',
    db: 'postgres',
    label: 'routing-controllers-auth, validation cache (LISTEN/NOTIFY)',
    env: { AUTH_VALIDATION_CACHE: 'on' },
  },
  'library-pg-redis-cache': {
    auth: 'library',
    db: 'postgres',
    label: 'routing-controllers-auth, validation cache (Redis pub/sub)',
    env: { AUTH_VALIDATION_CACHE: 'on', BENCH_CACHE_REDIS: '1' },
  },
  'passport-jwt-mariadb': { auth: 'passport', db: 'mariadb', label: 'passport-jwt (baseline)' },
  'library-mariadb': { auth: 'library', db: 'mariadb', label: 'routing-controllers-auth' },
  'library-mariadb-cache': {
    auth: 'library',
    db: 'mariadb',
    label: 'routing-controllers-auth, validation cache (Redis pub/sub)',
    env: { AUTH_VALIDATION_CACHE: 'on', BENCH_CACHE_REDIS: '1' },
  },
};
export const BASELINE_OF = {
  sqlite: 'passport-jwt',
  postgres: 'passport-jwt-pg',
  mariadb: 'passport-jwt-mariadb',
};
export const DB_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL', mariadb: 'MariaDB' };
export const SECTIONS = [
  'throughput',
  'storm',
  'growth',
  'example',
  'anatomy',
  'revocation',
  'purge',
];

const HELP = `npm run bench -- [options]
  --quick                 smoke run (a few minutes with the builds): 1 round, 0.5+1.5 s windows, growth
                          at 1k/10k; prints only (add --write to write RESULTS.md / results/).
                          BENCH_QUICK=1 in the environment does the same.
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
  --example-connections <a,...>
                          connection counts of the example section (default 10,50)
  --anatomy-connections <n>
                          connections of the anatomy section (default 50)
  --revocation-trials <n> revocation section: logout-then-poll trials per channel, spread over the
                          rounds (default 100; quick 50)
  --redis-url <url>       Redis of the validation cache's Redis channel (default REDIS_URL or
                          redis://127.0.0.1:6379); every run uses a channel of its own
  --purge-rows <n>        expired token rows the purge section deletes per round, with half as many
                          sessions (default 1000000; quick 20000)
  --purge-rounds <n>      rounds of the purge section, each refilling the table (default 2; quick 1)
  --purge-rate <n>        req/s of /users/me in the purge section, evenly paced (default 200)
  --no-example-build      example section: use build/example as it is (default: npm run build:example)
  --cpu-prof              CPU-profile each measured window (bench/profiles/*.cpuprofile, git-ignored);
                          the example process itself gets node --cpu-prof (whole process life)
  --write / --no-write    write RESULTS.md and results/<timestamp>.json (default: yes unless --quick)`;

export function parseOptions(argv, env = process.env) {
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
      'example-connections': { type: 'string' },
      'anatomy-connections': { type: 'string' },
      'revocation-trials': { type: 'string' },
      'redis-url': { type: 'string' },
      'purge-rows': { type: 'string' },
      'purge-rounds': { type: 'string' },
      'purge-rate': { type: 'string' },
      'no-example-build': { type: 'boolean', default: false },
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
  const quick =
    values.quick || (env.BENCH_QUICK !== undefined && !['', '0'].includes(env.BENCH_QUICK));
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
  const counts = (name, fallback) => {
    const items = list(name, fallback).map(Number);
    if (items.some((n) => !Number.isSafeInteger(n) || n < 1))
      throw new Error(`--${name} must be positive integers`);
    return [...new Set(items)].sort((a, b) => a - b);
  };
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
    bcryptCost: Math.round(num('bcrypt-cost', Number(env.AUTH_BCRYPT_COST || 12), 10)),
    stormConnections: Math.round(num('storm-connections', 8, 1)),
    stormRate: Math.round(num('storm-rate', 200, 0)),
    growthSizes: counts('growth-sizes', quick ? ['1000', '10000'] : ['10000', '100000', '1000000']),
    exampleConnections: counts('example-connections', ['10', '50']),
    anatomyConnections: Math.round(num('anatomy-connections', 50, 1)),
    revocationTrials: Math.round(num('revocation-trials', quick ? 50 : 100, 1)),
    redisUrl: values['redis-url'] ?? (env.REDIS_URL || 'redis://127.0.0.1:6379'),
    purgeRows: Math.round(num('purge-rows', quick ? 20_000 : 1_000_000, 1)),
    purgeRounds: Math.round(num('purge-rounds', quick ? 1 : 2, 1)),
    purgeRate: Math.round(num('purge-rate', 200, 1)),
    exampleBuild: !values['no-example-build'],
    cpuProf: values['cpu-prof'],
    write: values['no-write'] ? false : (values.write ?? !quick),
  };
}
