import { CreateAuthTables1732233600000 } from './migration';
import { AddSessionGenerations1764547200000 } from './migration-generations';
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

/**
 * The migrations to add to your DataSource's `migrations` when `synchronize` is off, in order.
 * Databases created by an earlier version run only the ones they lack.
 */
export const AUTH_MIGRATIONS = [
  CreateAuthTables1732233600000,
  AddSessionGenerations1764547200000,
] as const;

export {
  AddSessionGenerations1764547200000,
  AuthSessionEntity,
  AuthTokenEntity,
  CreateAuthTables1732233600000,
};
export { TokenStore } from './token-store';
export type {
  LiveTokenRow,
  NewSession,
  NewToken,
  PurgeCounts,
  PurgeOptions,
  Rotation,
  RotationOutcome,
  SessionKind,
  StoredSession,
  StoreStatus,
  TokenStorePort,
} from './port';
