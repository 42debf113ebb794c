import 'reflect-metadata';
import {
  Column,
  CreateDateColumn,
  DataSource,
  Entity,
  PrimaryGeneratedColumn,
  type DataSourceOptions,
  type Logger,
  type Repository,
} from 'typeorm';
import { AUTH_ENTITIES } from 'routing-controllers-auth';

/** The databases the bench runs on. */
export type Engine = 'sqlite' | 'postgres' | 'mariadb';

export const ENGINES: readonly Engine[] = ['sqlite', 'postgres', 'mariadb'];

/** Every seeded user has this password (hashed once, at the configured bcrypt cost). */
export const BENCH_PASSWORD = 'bench-password-1';

/** Email of seeded user `n` (1-based). */
export const benchEmail = (n: number): string => `user${n}@bench.local`;

/** The user table every variant reads: the same shape as the example's `User`. */
@Entity('users')
export class BenchUser {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 320, unique: true })
  email!: string;

  @Column({ type: 'varchar', length: 100 })
  passwordHash!: string;

  @Column({ type: 'simple-json' })
  roles!: string[];

  @Column({ type: 'simple-json' })
  permissions!: string[];

  @Column({ type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ type: 'boolean', default: false })
  isVerified!: boolean;

  @CreateDateColumn()
  createdAt!: Date;
}

/** What `GET /users/me` answers: every field but the hash. */
export type PublicUser = Omit<BenchUser, 'passwordHash'>;

export function toPublicUser(user: BenchUser): PublicUser {
  return {
    id: user.id,
    email: user.email,
    roles: user.roles,
    permissions: user.permissions,
    isActive: user.isActive,
    isVerified: user.isVerified,
    createdAt: user.createdAt,
  };
}

/**
 * THE user lookup of every variant: one `findOneBy` by primary key on the same repository.
 * A `sub` that is not a positive integer is `null`, not a query.
 */
export function findUser(users: Repository<BenchUser>, sub: unknown): Promise<BenchUser | null> {
  const id = typeof sub === 'string' && /^[1-9]\d{0,9}$/.test(sub) ? Number(sub) : NaN;
  return Number.isSafeInteger(id) ? users.findOneBy({ id }) : Promise.resolve(null);
}

/** Counts the statements TypeORM sends (TypeORM calls a logger object for every query). */
export class QueryCounter implements Logger {
  total = 0;
  /** Statements touching the library's tables (`auth_tokens` / `auth_sessions`). */
  store = 0;

  logQuery(query: string): void {
    this.total++;
    if (query.includes('auth_')) this.store++;
  }

  logQueryError(): void {
    /* counted by logQuery */
  }

  logQuerySlow(): void {
    /* not used */
  }

  logSchemaBuild(): void {
    /* not used */
  }

  logMigration(): void {
    /* not used */
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') console.warn('[typeorm]', message);
  }
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
  const url =
    engine === 'postgres'
      ? (process.env.BENCH_POSTGRES_URL ??
        process.env.TEST_POSTGRES_URL ??
        'postgres://postgres@127.0.0.1:5432/test')
      : (process.env.BENCH_MARIADB_URL ??
        process.env.TEST_MARIADB_URL ??
        'mysql://root@127.0.0.1:3306/test');
  const parsed = new URL(url);
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
 * Pools are left at the drivers' defaults (pg: 10, mysql2: 10), as a user would.
 */
export function connectionOptions(engine: Engine, isolation?: string): DataSourceOptions {
  if (engine === 'sqlite') {
    if (isolation === undefined) throw new Error('SQLite needs a file (BENCH_SQLITE_FILE)');
    return { type: 'better-sqlite3', database: isolation };
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
  };
}

/** The bench's DataSource: the user table and the library's tables, nothing else. */
export function benchDataSource(
  engine: Engine,
  isolation: string,
  options: { synchronize?: boolean; logger?: Logger } = {},
): DataSource {
  return new DataSource({
    ...connectionOptions(engine, isolation),
    entities: [BenchUser, ...AUTH_ENTITIES],
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
