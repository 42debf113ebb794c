/**
 * Bench data, run by `bench/run.mjs` in a child process:
 *
 *   node build/bench/fixtures.js create <engine> <schema|file> <users> <bcryptCost>
 *   node build/bench/fixtures.js grow <schema> <rows> <users>          (postgres only)
 *   node build/bench/fixtures.js grow-expired <schema> <rows> <users>  (postgres only)
 *   node build/bench/fixtures.js drop <engine> <schema>
 *   node build/bench/fixtures.js create-database <name>                (postgres only)
 *   node build/bench/fixtures.js drop-database <name>                  (postgres only)
 *
 * `create` makes the schema (postgres) / database (mariadb) / file (SQLite), creates the user table
 * and the library's tables, and seeds `users` users sharing one bcrypt hash at the given cost.
 * `grow` bulk-inserts `rows` stored tokens (two per session: access + refresh) with one
 * `INSERT ... SELECT generate_series` per table, then ANALYZEs. `grow-expired` does the same with
 * every row expired (sessions that ended 1–8 days ago), for the purge section, and VACUUMs and
 * CHECKPOINTs too (when allowed), so that neither an autovacuum of the fresh rows nor the flush of
 * their pages runs into the measured windows.
 * `create-database` makes an empty PostgreSQL database and prints its `DATABASE_URL`, for the
 * example app to create its tables and seed its demo users in, as on a first `npm start`;
 * `drop-database` drops it (with `FORCE`: connections a killed app left behind do not block it).
 */
import 'reflect-metadata';
import { hashPassword } from 'routing-controllers-auth';
import { User } from '../example/user.entity';
import {
  BENCH_PASSWORD,
  benchDataSource,
  benchEmail,
  checkName,
  databaseUrl,
  ENGINES,
  withAdmin,
  type Engine,
} from './db';

function engineOf(value: string | undefined): Engine {
  const engine = ENGINES.find((e) => e === value);
  if (engine === undefined) throw new Error(`unknown engine "${String(value)}"`);
  return engine;
}

function count(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

async function create(engine: Engine, isolation: string, users: number, cost: number) {
  if (engine === 'postgres') {
    await withAdmin(engine, (a) => a.query(`CREATE SCHEMA "${checkName(isolation)}"`));
  } else if (engine === 'mariadb') {
    await withAdmin(engine, (a) => a.query(`CREATE DATABASE \`${checkName(isolation)}\``));
  }
  const ds = benchDataSource(engine, isolation, { synchronize: true });
  await ds.initialize();
  try {
    // One hash for everyone: seeding 50 users at cost 12 one by one would take ~15 s.
    const passwordHash = await hashPassword(BENCH_PASSWORD, cost);
    const rows = Array.from({ length: users }, (_, i) => ({
      email: benchEmail(i + 1),
      passwordHash,
      roles: ['user'],
      permissions: [],
      isActive: true,
      isVerified: false,
    }));
    await ds.getRepository(User).insert(rows);
    const sql =
      engine === 'sqlite'
        ? 'SELECT sqlite_version() AS v'
        : engine === 'postgres'
          ? 'SHOW server_version'
          : 'SELECT VERSION() AS v';
    const [row] = await ds.query<Record<string, string>[]>(sql);
    console.log(JSON.stringify({ version: Object.values(row ?? {})[0] ?? 'unknown' }));
  } finally {
    await ds.destroy();
  }
}

const DAY = 86_400_000;

async function grow(isolation: string, rows: number, users: number, expired = false) {
  const ds = benchDataSource('postgres', isolation);
  await ds.initialize();
  try {
    const sessions = Math.ceil(rows / 2);
    // Expired: the same 7-day spread of starts, shifted so that every session ended a day ago or more.
    const now = Date.now() - (expired ? 8 * DAY : 0);
    // Sessions started over the last 7 days, 7-day absolute life, 1 in 10 revoked; tokens: an
    // access token (15 min, mostly expired) and a refresh token per session.
    await ds.query(
      `INSERT INTO auth_sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at, user_agent, ip)
       SELECT gen_random_uuid()::text, ((g % $1::int) + 1)::text, c, c, c + $2::bigint, CASE WHEN g % 10 = 0 THEN c + 1000 END,
              'bench-fill', '127.0.0.1'
       FROM (SELECT g, $3::bigint - (g::bigint * 7919 % $2::bigint) AS c FROM generate_series(1, $4::int) AS g) AS s`,
      [users, 7 * DAY, now, sessions],
    );
    await ds.query(
      `INSERT INTO auth_tokens (jti, session_id, user_id, type, created_at, expires_at, revoked_at, replaced_by)
       SELECT gen_random_uuid()::text, s.id, s.user_id, t.type, s.created_at,
              CASE t.type WHEN 'access' THEN s.created_at + 900000 ELSE s.expires_at END, s.revoked_at, NULL
       FROM auth_sessions AS s CROSS JOIN (VALUES ('access'), ('refresh')) AS t(type)
       WHERE s.user_agent = 'bench-fill'
       LIMIT $1::int`,
      [rows],
    );
    const analyze = expired ? 'VACUUM (ANALYZE)' : 'ANALYZE';
    await ds.query(`${analyze} auth_sessions`);
    await ds.query(`${analyze} auth_tokens`);
    // The fill's writes flushed now, not by a checkpoint during the idle window that follows.
    if (expired) await ds.query('CHECKPOINT').catch(() => undefined);
    const [{ n }] = await ds.query<[{ n: string }]>('SELECT count(*) AS n FROM auth_tokens');
    console.log(JSON.stringify({ tokens: Number(n), sessions }));
  } finally {
    await ds.destroy();
  }
}

async function drop(engine: Engine, isolation: string) {
  if (engine === 'postgres') {
    await withAdmin(engine, (a) =>
      a.query(`DROP SCHEMA IF EXISTS "${checkName(isolation)}" CASCADE`),
    );
  } else if (engine === 'mariadb') {
    await withAdmin(engine, (a) => a.query(`DROP DATABASE IF EXISTS \`${checkName(isolation)}\``));
  }
  // SQLite: the driver removes its temporary directory.
}

async function createDatabase(name: string) {
  await withAdmin('postgres', (a) => a.query(`CREATE DATABASE "${checkName(name)}"`));
  console.log(JSON.stringify({ url: databaseUrl('postgres', name) }));
}

async function dropDatabase(name: string) {
  await withAdmin('postgres', (a) =>
    a.query(`DROP DATABASE IF EXISTS "${checkName(name)}" WITH (FORCE)`),
  );
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === 'create') {
    await create(
      engineOf(args[0]),
      String(args[1]),
      count(args[2], 'users'),
      count(args[3], 'bcryptCost'),
    );
  } else if (command === 'grow' || command === 'grow-expired') {
    await grow(
      checkName(String(args[0])),
      count(args[1], 'rows'),
      count(args[2], 'users'),
      command === 'grow-expired',
    );
  } else if (command === 'drop') {
    await drop(engineOf(args[0]), String(args[1]));
  } else if (command === 'create-database') {
    await createDatabase(String(args[0]));
  } else if (command === 'drop-database') {
    await dropDatabase(String(args[0]));
  } else {
    throw new Error(
      'usage: fixtures.js create|grow|grow-expired|drop|create-database|drop-database ...',
    );
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
