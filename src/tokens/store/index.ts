import { CreateAuthTables1732233600000 } from './migration';
import { AuthSessionEntity } from './session.entity';
import { AuthTokenEntity } from './token.entity';

/**
 * The entities to add to your DataSource's `entities`.
 *
 * @example
 * ```ts
 * new DataSource({ type: 'better-sqlite3', database: 'app.sqlite', entities: [User, ...AUTH_ENTITIES] });
 * ```
 */
export const AUTH_ENTITIES = [AuthSessionEntity, AuthTokenEntity] as const;

/** The migrations to add to your DataSource's `migrations` when `synchronize` is off. */
export const AUTH_MIGRATIONS = [CreateAuthTables1732233600000] as const;

export { AuthSessionEntity, AuthTokenEntity, CreateAuthTables1732233600000 };
export { TokenStore } from './token-store';
export type { LiveTokenRow, NewSession, NewToken, PurgeCounts } from './token-store';
