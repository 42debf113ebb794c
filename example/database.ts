import { DataSource, type DataSourceOptions } from 'typeorm';
import { AUTH_ENTITIES, AuthError } from 'routing-controllers-auth';
import { DatabaseUnavailableError } from './errors';
import { User } from './user.entity';

/** The SQLite file used when `DATABASE_URL` is unset, relative to the working directory. */
export const DEFAULT_SQLITE_FILE = './example.sqlite';

/** The part of a better-sqlite3 connection that `prepareDatabase` uses here. */
interface SqliteConnection {
  pragma(source: string): unknown;
}

/**
 * A SQLite file as the README advises: write-ahead log (`enableWAL`), `synchronous = FULL`, and
 * `timeout: 0`. better-sqlite3 runs every statement on the event loop, so a commit stalls every
 * request in flight: a login's transaction (session and token rows) took 1.46 ms in SQLite's
 * default rollback journal and 0.48 ms with the WAL, on this project's machine. better-sqlite3 is
 * built to reopen a WAL file with `synchronous = NORMAL`, where a power cut may undo the last
 * commits — a logout among them; FULL keeps every committed revocation (no slower in that
 * measurement). Its wait for a file another process has locked (TypeORM's `timeout`, 5 s) blocks
 * the whole process; at 0 the library's store waits instead, without blocking, and the example's
 * own writes answer 503 at once while the file is locked.
 */
export function sqliteOptions(file: string): DataSourceOptions {
  return {
    type: 'better-sqlite3',
    database: file,
    enableWAL: true,
    timeout: 0,
    prepareDatabase: (db: SqliteConnection) => {
      db.pragma('synchronous = FULL');
    },
  };
}

/**
 * Connection options for a `DATABASE_URL`: unset or empty → SQLite file `./example.sqlite`
 * (better-sqlite3, see {@link sqliteOptions}); `postgres://` or `postgresql://` → pg; `mysql://`
 * or `mariadb://` → mysql2. Anything else throws, naming the schemes accepted.
 */
export function connectionOptions(url: string | undefined): DataSourceOptions {
  if (!url) return sqliteOptions(DEFAULT_SQLITE_FILE);
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return { type: 'postgres', url };
  if (scheme === 'mysql' || scheme === 'mariadb') {
    // mysql2 only knows the mysql:// scheme; MariaDB speaks the same protocol.
    return { type: 'mysql', url: `mysql${url.slice(scheme.length)}` };
  }
  throw new Error(
    'DATABASE_URL must start with postgres://, postgresql://, mysql:// or mariadb:// ' +
      '(or be unset for SQLite).',
  );
}

/**
 * The example's DataSource: the {@link User} table plus the library's token tables.
 * `synchronize: true` creates them on first start, which suits a demo; a production app keeps
 * it off and runs `AUTH_MIGRATIONS` plus its own migrations instead.
 */
export function createDataSource(url: string | undefined = process.env.DATABASE_URL): DataSource {
  return new DataSource({
    ...connectionOptions(url),
    entities: [User, ...AUTH_ENTITIES],
    synchronize: true,
    logging: false,
  });
}

/**
 * Runs one database call of a route. A coded error ({@link AuthError}) passes through; `known`
 * may turn a driver error into one (e.g. a unique violation into 409); anything else — the
 * database down, a connection dropped — answers 503 `database_unavailable`, with the driver
 * error kept as the cause for the server log and never sent to the client.
 */
export async function databaseCall<T>(
  work: () => Promise<T>,
  known?: (error: unknown) => AuthError | undefined,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw known?.(error) ?? new DatabaseUnavailableError({ cause: error });
  }
}
