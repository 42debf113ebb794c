import type { ClientInfo } from '../flows/deps';
import { PasswordHasher } from '../passwords/hasher';

/** A value an extra token claim may carry. */
export type ClaimValue = string | number | boolean | null;

/** What a login presents: an identifier (username or email) and a password, both non-empty strings. */
export interface LoginCredentials {
  /** Username or email, as the user typed it. */
  username: string;
  /** The plain password. Never logged, never stored. */
  password: string;
}

function record(user: unknown): Record<string, unknown> {
  return typeof user === 'object' && user !== null ? (user as Record<string, unknown>) : {};
}

function firstBoolean(user: unknown, names: readonly string[], fallback: boolean): boolean {
  const fields = record(user);
  for (const name of names) {
    const value = fields[name];
    if (typeof value === 'boolean') return value;
  }
  return fallback;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * The bridge between this library and your user model. Subclass it, implement the three abstract
 * methods, and register the instance in typedi under this class.
 *
 * The hooks (`getRoles`, `getPermissions`, `isActive`, `isVerified`, `getExtraClaims`) have
 * defaults that read common field names; override them when your model differs. They are called
 * on every request, server-side, so a demotion or a deactivation applies at once.
 *
 * @typeParam User - your user type.
 * @example
 * ```ts
 * class MyAuth extends BaseUserAuthentication<User> {
 *   constructor(private readonly users: Repository<User>) { super(); }
 *   async authenticate({ username, password }: LoginCredentials) {
 *     const email = username.toLowerCase();
 *     const found = await this.users.findOneBy({ email });
 *     const user = found?.email === email ? found : null; // exact, whatever the collation
 *     return (await this.checkPassword(user, password, user?.passwordHash)) ? user : null;
 *   }
 *   getUserById(id: string) {
 *     const n = Number(id);
 *     return Number.isSafeInteger(n) ? this.users.findOneBy({ id: n }) : Promise.resolve(null);
 *   }
 *   getUserId(user: User) { return user.id; }
 * }
 * const auth = setupAuth({ dataSource, userAuthentication: new MyAuth(dataSource.getRepository(User)) });
 * ```
 */
export abstract class BaseUserAuthentication<User = unknown> {
  /**
   * The password hasher {@link BaseUserAuthentication.checkPassword} uses. `setupAuth` replaces
   * it with the setup's configured hasher (`auth.passwords`: `bcryptCost`, `passwordConcurrency`);
   * before that it is a default one (cost 12, cores − 1 at once). Hash new passwords with
   * `auth.passwords.hash(pw)` (or `this.passwords.hash(pw)` in the bridge), not the standalone
   * `hashPassword`, whose cost is its own argument (default 12) and which bypasses the limiter.
   */
  passwords: PasswordHasher = new PasswordHasher();

  /**
   * Checks login credentials. Return the user, or `null` for any failure (unknown user, wrong
   * password): the library answers one identical 401 for all of them and checks `isActive` itself.
   * Use {@link BaseUserAuthentication.checkPassword} so that an unknown user costs a bcrypt
   * compare too. The credentials are already checked to be non-empty strings.
   */
  abstract authenticate(credentials: LoginCredentials): Promise<User | null>;

  /** Loads a user by the id carried in a token's `sub` (always a string; convert if needed). */
  abstract getUserById(id: string): Promise<User | null>;

  /** The user's id, written to the token's `sub`. */
  abstract getUserId(user: User): string | number;

  /** Roles of the user. Default: `user.roles` (array) or `user.role` (string), else `[]`. */
  getRoles(user: User): string[] | Promise<string[]> {
    const fields = record(user);
    return stringList(fields.roles ?? fields.role);
  }

  /** Permissions of the user, e.g. `"users:delete"`. Default: `user.permissions`, else `[]`. */
  getPermissions(user: User): string[] | Promise<string[]> {
    return stringList(record(user).permissions);
  }

  /** Whether the user may sign in and use tokens. Default: `isActive`/`is_active`/`active`, else `true`. */
  isActive(user: User): boolean | Promise<boolean> {
    return firstBoolean(user, ['isActive', 'is_active', 'active'], true);
  }

  /** Whether the user is verified. Default: `isVerified`/`is_verified`/`verified`, else `false`. */
  isVerified(user: User): boolean | Promise<boolean> {
    return firstBoolean(user, ['isVerified', 'is_verified', 'verified'], false);
  }

  /**
   * Extra claims for the user's tokens. Every name must be listed in the `extraClaims` option:
   * an unlisted one makes the login or refresh fail with an `AuthConfigError` naming it (it is
   * never dropped silently), and registered claims can never be listed. Default `{}`.
   */
  getExtraClaims(_user: User): Record<string, ClaimValue> | Promise<Record<string, ClaimValue>> {
    return {};
  }

  /**
   * The login extension point, between "credentials accepted" and "tokens issued": called after
   * `authenticate` returned an active user, before the session starts. Throw an `AuthError` to stop
   * the login (a second factor, a terms-of-service gate, an audit veto). Default: does nothing.
   * May be async.
   */
  onCredentialsAccepted(_user: User, _client: ClientInfo): void | Promise<void> {
    return undefined;
  }

  /**
   * Called after a successful {@link BaseUserAuthentication.checkPassword} when the stored hash is
   * below the configured cost: persist `newHash` for the user. Default: does nothing.
   */
  updatePasswordHash(_user: User, _newHash: string): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Timing-safe password check for `authenticate`: with no user or no hash it still spends one
   * bcrypt compare and returns `false`. On success with an outdated hash it calls
   * {@link BaseUserAuthentication.updatePasswordHash} with a fresh hash at the configured cost.
   */
  protected async checkPassword(
    user: User | null | undefined,
    password: string,
    hash: string | null | undefined,
  ): Promise<boolean> {
    const ok = await this.passwords.check(user == null ? undefined : hash, password);
    if (ok && user != null && typeof hash === 'string' && this.passwords.needsRehash(hash)) {
      await this.updatePasswordHash(user, await this.passwords.hash(password));
    }
    return ok;
  }
}
