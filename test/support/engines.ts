import { randomBytes } from 'node:crypto';
import { DataSource, type DataSourceOptions, type Logger } from 'typeorm';
import { describe, test } from 'vitest';
import { QueryCounter } from './query-counter';

/** The databases every store test runs on (see DESIGN.md, "Databases"). */
export type EngineName = 'sqlite' | 'postgres' | 'mariadb';

export const ENGINES: EngineName[] = ['sqlite', 'postgres', 'mariadb'];

type Entities = NonNullable<DataSourceOptions['entities']>;
type Migrations = NonNullable<DataSourceOptions['migrations']>;

export interface OpenOptions {
  entities: Entities;
  /** Registered on the DataSource, not run: call `ds.runMigrations()` (with `synchronize: false`). */
  migrations?: Migrations;
  /** Create the entities' tables on initialize. Default: true. */
  synchronize?: boolean;
  /** E.g. a {@link QueryCounter}; it is reset after initialize, so it counts only the test's queries. */
  logger?: Logger;
}

interface Server {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
}

/** Where postgres/mariadb live: the project's machines, or TEST_POSTGRES_URL / TEST_MARIADB_URL. */
function server(engine: 'postgres' | 'mariadb'): Server {
  const url = engine === 'postgres' ? process.env.TEST_POSTGRES_URL : process.env.TEST_MARIADB_URL;
  const fallback =
    engine === 'postgres'
      ? 'postgres://postgres@127.0.0.1:5432/test'
      : 'mysql://root@127.0.0.1:3306/test';
  const parsed = new URL(url ?? fallback);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || (engine === 'postgres' ? 5432 : 3306)),
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.slice(1) || 'test',
  };
}

// Tests fire 20 concurrent transactions, each holding its own connection.
const POOL_SIZE = 25;
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * TypeORM options for one engine. `isolation` is the fresh postgres schema / mariadb database the
 * DataSource lives in; without it, the server's shared database (for admin work only).
 */
function optionsFor(engine: EngineName, isolation?: string): DataSourceOptions {
  if (engine === 'sqlite') return { type: 'better-sqlite3', database: ':memory:' };
  const { host, port, username, password, database } = server(engine);
  if (engine === 'postgres') {
    return {
      type: 'postgres',
      host,
      port,
      username,
      password,
      database,
      poolSize: isolation ? POOL_SIZE : 1,
      connectTimeoutMS: CONNECT_TIMEOUT_MS,
      // `schema` qualifies TypeORM's own table names; search_path makes raw SQL resolve there too.
      ...(isolation && { schema: isolation, extra: { options: `-c search_path=${isolation}` } }),
    };
  }
  return {
    type: 'mysql',
    host,
    port,
    username,
    password,
    database: isolation ?? database,
    poolSize: isolation ? POOL_SIZE : 1,
    connectTimeout: CONNECT_TIMEOUT_MS,
  };
}

/** Runs `fn` on a one-connection DataSource to the server's shared database. */
async function withAdmin<T>(engine: EngineName, fn: (admin: DataSource) => Promise<T>): Promise<T> {
  const admin = new DataSource({ ...optionsFor(engine), logging: false });
  await admin.initialize();
  try {
    return await fn(admin);
  } finally {
    await admin.destroy();
  }
}

/** Drops the isolated schema/database of each DataSource opened by {@link openDataSource}. */
const cleanups = new WeakMap<DataSource, () => Promise<void>>();

/**
 * An initialized DataSource on `engine`, alone in a fresh schema (postgres) or database (mariadb),
 * so test files never see each other's tables; SQLite is in memory. Close it with
 * {@link closeDataSource}.
 *
 * @example
 * const ds = await openDataSource(engine, { entities: [RefreshToken] });
 * afterAll(() => closeDataSource(ds));
 */
export async function openDataSource(
  engine: EngineName,
  options: OpenOptions,
): Promise<DataSource> {
  const isolation = engine === 'sqlite' ? undefined : `rca_${randomBytes(6).toString('hex')}`;
  let drop = (): Promise<void> => Promise.resolve();
  if (isolation) {
    const [create, remove] =
      engine === 'postgres'
        ? [`CREATE SCHEMA "${isolation}"`, `DROP SCHEMA IF EXISTS "${isolation}" CASCADE`]
        : [`CREATE DATABASE \`${isolation}\``, `DROP DATABASE IF EXISTS \`${isolation}\``];
    await withAdmin(engine, (admin) => admin.query(create));
    drop = () => withAdmin(engine, (admin) => admin.query(remove));
  }

  const dataSource = new DataSource({
    ...optionsFor(engine, isolation),
    entities: options.entities,
    migrations: options.migrations ?? [],
    synchronize: options.synchronize ?? true,
    ...(options.logger ? { logger: options.logger } : { logging: false }),
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    await drop();
    throw error;
  }
  cleanups.set(dataSource, drop);
  if (options.logger instanceof QueryCounter) options.logger.reset();
  return dataSource;
}

/** Destroys a DataSource from {@link openDataSource} and drops its schema/database. */
export async function closeDataSource(dataSource: DataSource): Promise<void> {
  if (dataSource.isInitialized) await dataSource.destroy();
  await cleanups.get(dataSource)?.();
  cleanups.delete(dataSource);
}

/** Why the engine's server cannot be used (connect timeout ~2 s), or undefined if it can. */
async function connectProblem(engine: EngineName): Promise<string | undefined> {
  if (engine === 'sqlite') return undefined;
  try {
    await withAdmin(engine, (admin) => admin.query('SELECT 1'));
    return undefined;
  } catch (error) {
    const { host, port } = server(engine);
    const reason = error instanceof Error ? error.message : String(error);
    return `${engine} at ${host}:${port} is unreachable (${reason || 'no reason given'})`;
  }
}

/** Whether the engine's server answers within ~2 s. SQLite is always available. */
export async function engineAvailable(engine: EngineName): Promise<boolean> {
  return (await connectProblem(engine)) === undefined;
}

/** CI (or AUTH_TEST_REQUIRE_ENGINES=1) must test all three engines, never skip one. */
function enginesRequired(): boolean {
  const ci = process.env.CI;
  return (!!ci && ci !== 'false' && ci !== '0') || process.env.AUTH_TEST_REQUIRE_ENGINES === '1';
}

// Probed once per test file (vitest isolates files), so each absent engine warns once.
const problems = new Map<EngineName, Promise<string | undefined>>();
const warned = new Set<EngineName>();

/**
 * Registers `describe(`${name} [${engine}]`, () => fn(engine))` for every engine. When a server is
 * unreachable its suite is skipped with one warning, or fails under CI / AUTH_TEST_REQUIRE_ENGINES=1.
 *
 * @example
 * describeEngines('refresh token store', (engine) => {
 *   let ds: DataSource;
 *   beforeAll(async () => { ds = await openDataSource(engine, { entities: [RefreshToken] }); });
 *   afterAll(() => closeDataSource(ds));
 *   test('consumes a token once', async () => { ... });
 * });
 */
export function describeEngines(
  name: string,
  fn: (engine: EngineName) => void,
  engines: readonly EngineName[] = ENGINES,
): void {
  for (const engine of engines) {
    const title = `${name} [${engine}]`;
    // vitest awaits an async suite factory while collecting, before it registers the tests.
    describe(title, async () => {
      if (!problems.has(engine)) problems.set(engine, connectProblem(engine));
      const problem = await problems.get(engine);
      if (problem === undefined) {
        fn(engine);
        return;
      }
      if (enginesRequired()) {
        test(`${engine} server is reachable`, () => {
          throw new Error(
            `${problem}; CI requires all three engines; run bash ../shared/scripts/ensure-services.sh`,
          );
        });
        return;
      }
      if (!warned.has(engine)) {
        warned.add(engine);
        console.warn(
          `[engines] ${problem}: skipping its suites; start it with bash ../shared/scripts/ensure-services.sh ${engine}`,
        );
      }
      describe.skip(`skipped: ${engine} is unreachable`, () => {
        fn(engine);
      });
    });
  }
}
