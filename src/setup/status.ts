import { Container } from 'typedi';
import { AUTH_RUNTIME } from '../http/runtime';

/** What {@link authStatus} reports. Never contains a secret. */
export interface AuthStatus {
  /** Whether `setupAuth` has run in this process. */
  wired: boolean;
  /** The DataSource's driver type and whether it is connected, when wired. */
  database: {
    /** TypeORM driver type, e.g. `"postgres"`. */
    type: string;
    /** Whether the DataSource is connected. */
    initialized: boolean;
  } | null;
  /** Class name of the registered user bridge, when wired. */
  userAuthentication: string | null;
  /** Signing algorithm, when wired. */
  algorithm: string | null;
  /** Where tokens are read from, when wired. */
  tokenLocation: readonly string[];
  /** Whether auth cookies are `Secure`, when wired. */
  secureCookies: boolean | null;
  /** Roles that have a place in the hierarchy. */
  roles: readonly string[];
  /** What is missing, in words, for a newcomer. Empty when everything is wired. */
  problems: string[];
}

/**
 * Reports what is wired (seeds 002/003: a status call). Safe to expose on a debug page: no
 * secret, no key, no token.
 *
 * @example
 * ```ts
 * app.get('/debug/auth', (_req, res) => res.json(authStatus()));
 * ```
 */
export function authStatus(): AuthStatus {
  if (!Container.has(AUTH_RUNTIME)) {
    return {
      wired: false,
      database: null,
      userAuthentication: null,
      algorithm: null,
      tokenLocation: [],
      secureCookies: null,
      roles: [],
      problems: ['setupAuth({ dataSource, userAuthentication }) has not run in this process.'],
    };
  }
  const runtime = Container.get(AUTH_RUNTIME);
  const database = runtime.tokens.store.status();
  const problems: string[] = [];
  if (!database.initialized) problems.push('The DataSource is not connected.');
  if (!runtime.config.cookies.secure && runtime.config.tokenLocation.includes('cookie')) {
    problems.push('Auth cookies are not Secure: acceptable only on http://localhost.');
  }
  return {
    wired: true,
    database: { type: database.type, initialized: database.initialized },
    userAuthentication: runtime.users.constructor.name,
    algorithm: runtime.config.keys.algorithm,
    tokenLocation: runtime.config.tokenLocation,
    secureCookies: runtime.config.cookies.secure,
    roles: [...runtime.roles.keys()],
    problems,
  };
}
