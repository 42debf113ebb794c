import 'reflect-metadata';
import { DataSource, type DataSourceOptions, type Logger, type Repository } from 'typeorm';
import { AUTH_ENTITIES } from 'routing-controllers-auth';
import { sqliteOptions } from '../example/database';
import { parseUserId } from '../example/user-id';
import { User } from '../example/user.entity';

/** The databases the bench runs on. */
export type Engine = 'sqlite' | 'postgres' | 'mariadb';

export const ENGINES: readonly Engine[] = ['sqlite', 'postgres', 'mariadb'];

/** Every seeded user has this password (hashed once, at the configured bcrypt cost). */
export const BENCH_PASSWORD = 'bench-password-1';

/** Email of seeded user `n` (1-based). */
export const benchEmail = (n: number): string => `user${n}@bench.local`;

/**
 * THE user lookup of every variant: one `findOneBy` by primary key on the example's `User`
 * repository, the same call as the example's `ExampleAuth.getUserById`. A `sub` that is not a
 * valid id is `null`, not a query.
 */
export function findUser(users: Repository<User>, sub: unknown): Promise<User | null> {
  const id = typeof sub === 'string' ? parseUserId(sub) : null;
  return id === null ? Promise.resolve(null) : users.findOneBy({ id });
}

/** The server's URL of an engine, as BENCH_*_URL / TEST_*_URL / the default spell it. */
export function rawServerUrl(engine: 'postgres' | 'mariadb'): string {
  return engine === 'postgres'
    ? (process.env.BENCH_POSTGRES_URL ??
        process.env.TEST_POSTGRES_URL ??
        'postgres://postgres@127.0.0.1:5432/test')
    : (process.env.BENCH_MARIADB_URL ??
        process.env.TEST_MARIADB_URL ??
        'mysql://root@127.0.0.1:3306/test');
}

/** A `DATABASE_URL` for database `name` on the engine's server (for the example app). */
export function databaseUrl(engine: 'postgres' | 'mariadb', name: string): string {
  const url = new URL(rawServerUrl(engine));
  url.pathname = `/${checkName(name)}`;
  return url.toString();
}

interface ServerUrl {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
}

/** Where postgres / mariadb live: BENCH_*_URL, else TEST_*_URL, else the project's machines. */
function serverUrl(engine: 'postgres' | 'mariadb'): ServerUrl {
  const parsed = new URL(rawServerUrl(engine));
  return {
    host: parsed.hostname,
    port: Number(parsed.port || (engine === 'postgres' ? 5432 : 3306)),
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.slice(1) || 'test',
  };
}

/** A safe identifier for a schema / database name (the driver makes them: `rca_bench_…`). */
export function checkName(name: string): string {
  if (!/^rca_bench_[a-z0-9_]{1,40}$/.test(name)) {
    throw new Error(`refusing to use "${name}" as a bench schema name (expected rca_bench_*)`);
  }
  return name;
}

/**
 * Connection options. `isolation` is the postgres schema / mariadb database of the bench (or the
 * SQLite file); without it, the server's shared database, for creating and dropping only.
 * Pools are left at the drivers' defaults (pg: 10, mysql2: 10), as a user would, unless
 * `poolSize` is given (the anatomy section's pool toggle).
 */
export function connectionOptions(
  engine: Engine,
  isolation?: string,
  poolSize?: number,
): DataSourceOptions {
  if (engine === 'sqlite') {
    if (isolation === undefined) throw new Error('SQLite needs a file (BENCH_SQLITE_FILE)');
    // As the example and the README run it (WAL, synchronous FULL).
    return sqliteOptions(isolation);
  }
  const { host, port, username, password, database } = serverUrl(engine);
  if (engine === 'postgres') {
    return {
      type: 'postgres',
      host,
      port,
      username,
      password,
      database,
      ...(poolSize !== undefined && { poolSize }),
      ...(isolation !== undefined && {
        schema: checkName(isolation),
        // Raw SQL (the store's lookup) resolves unqualified names there too.
        extra: { options: `-c search_path=${isolation}` },
      }),
    };
  }
  return {
    type: 'mysql',
    host,
    port,
    username,
    password,
    database: isolation === undefined ? database : checkName(isolation),
    ...(poolSize !== undefined && { poolSize }),
  };
}

/** The bench's DataSource: the user table and the library's tables, nothing else. */
export function benchDataSource(
  engine: Engine,
  isolation: string,
  options: { synchronize?: boolean; logger?: Logger; poolSize?: number } = {},
): DataSource {
  return new DataSource({
    ...connectionOptions(engine, isolation, options.poolSize),
    entities: [User, ...AUTH_ENTITIES],
    synchronize: options.synchronize ?? false,
    ...(options.logger ? { logger: options.logger } : { logging: false }),
  });
}

/** Runs `fn` on a short-lived DataSource to the server's shared database. */
export async function withAdmin<T>(
  engine: 'postgres' | 'mariadb',
  fn: (admin: DataSource) => Promise<T>,
): Promise<T> {
  const admin = new DataSource({ ...connectionOptions(engine), logging: false });
  await admin.initialize();
  try {
    return await fn(admin);
  } finally {
    await admin.destroy();
  }
}
