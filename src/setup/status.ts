import type { AccountRoutesStatus } from '../account/availability';
import type { ValidationCacheStats } from '../cache/validation-cache';
import type { AuthRuntime } from './runtime';

/** What `auth.status()` reports. Never contains a secret. */
export interface AuthStatus {
  /** Always `true` for a setup (kept so a debug page can tell it from "not set up"). */
  wired: boolean;
  /** The DataSource's driver type and whether it is connected. */
  database: {
    /** TypeORM driver type, e.g. `"postgres"`. */
    type: string;
    /** Whether the DataSource is connected. */
    initialized: boolean;
  };
  /** Class name of the user bridge. */
  userAuthentication: string;
  /** Signing algorithm. */
  algorithm: string;
  /** Where tokens are read from. */
  tokenLocation: readonly string[];
  /** Whether auth cookies are `Secure`. */
  secureCookies: boolean;
  /** Access-token lifetime, seconds. */
  accessTokenTtlSeconds: number;
  /** Refresh-token (and login session) lifetime, seconds. */
  refreshTokenTtlSeconds: number;
  /** Seconds between two scheduled purges of expired rows; `null` when no schedule runs. */
  purgeIntervalSeconds: number | null;
  /** bcrypt cost of the configured hasher. */
  bcryptCost: number;
  /** Whether login throttling is on. */
  throttle: boolean;
  /**
   * The validation cache: its channel, whether it is listening (the cache is used only then),
   * entries, hits and misses; `null` when off (strict).
   */
  validationCache: ValidationCacheStats | null;
  /** Roles that have a place in the hierarchy or in `rolePermissions`. */
  roles: readonly string[];
  /**
   * The ready-made account controllers in `auth.accountControllers`, and those left out with the
   * bridge methods they miss (implement them to get the routes).
   */
  accountRoutes?: AccountRoutesStatus;
  /** Whether a mailer is set for the account flows. */
  mailer: boolean;
  /** What is wrong, in words, for a newcomer. Empty when everything is fine. */
  problems: string[];
}

/** @internal Describes one setup (`auth.status()`). */
export function describeSetup(runtime: AuthRuntime): AuthStatus {
  const database = runtime.tokens.store.status();
  const problems: string[] = [];
  if (!database.initialized) problems.push('The DataSource is not connected.');
  const cache = runtime.tokens.validationCache?.stats() ?? null;
  if (cache !== null && !cache.listening) {
    problems.push(
      `The validation cache's ${cache.channel} channel is not listening: every request goes to the store until it is back.`,
    );
  }
  if (!runtime.config.cookies.secure && runtime.config.tokenLocation.includes('cookie')) {
    problems.push('Auth cookies are not Secure: acceptable only on http://localhost.');
  }
  problems.push(...runtime.warnings.list());
  return {
    wired: true,
    database: { type: database.type, initialized: database.initialized },
    userAuthentication: runtime.users.constructor.name,
    algorithm: runtime.config.keys.algorithm,
    tokenLocation: runtime.config.tokenLocation,
    secureCookies: runtime.config.cookies.secure,
    accessTokenTtlSeconds: runtime.config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: runtime.config.refreshTokenTtlSeconds,
    purgeIntervalSeconds: runtime.config.purgeIntervalSeconds,
    bcryptCost: runtime.passwords.cost,
    throttle: runtime.throttle !== null,
    mailer: runtime.mailer !== null,
    validationCache: cache,
    roles: runtime.authorizer.knownRoles(),
    problems,
  };
}
