import { createHash } from 'node:crypto';
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

/** What {@link BaseUserAuthentication.createUser} receives: a normalized address and a bcrypt hash. */
export interface NewUser {
  /** The address, trimmed and lower-cased. */
  email: string;
  /** bcrypt hash made with the setup's hasher. */
  passwordHash: string;
}

/**
 * What {@link BaseUserAuthentication.updateUser} may be asked to change. Only the fields present
 * change. Self-service updates only ever carry `email`, `isVerified: false` (with a new email) and
 * `passwordHash`; `isActive` and `roles` come only from an admin (`PATCH /users/:id`).
 */
export interface UserChanges {
  /** A new address, trimmed and lower-cased. */
  email?: string;
  /** A new bcrypt hash. */
  passwordHash?: string;
  /** Active or not (admin only). */
  isActive?: boolean;
  /** Verified or not. */
  isVerified?: boolean;
  /** New role names (admin only). */
  roles?: string[];
}

/**
 * What an update changed, as {@link BaseUserAuthentication.onAfterUpdate} hears it: the
 * {@link UserChanges} without the new password hash (a hook has no use for it, and one that logs
 * its arguments would write it out); `passwordChanged` is `true` when the password changed.
 */
export type UpdatedFields = Omit<UserChanges, 'passwordHash'> & {
  /** Present (`true`) when the update set a new password. */
  passwordChanged?: true;
};

/** Field names {@link BaseUserAuthentication.toPublicUser} never lets out, compared lower-cased. */
const SECRET_FIELD = /pass|hash|secret|salt|token/i;

function firstBoolean(user: unknown, names: readonly string[], fallback: boolean): boolean {
  const fields = record(user);
  for (const name of names) {
    const value = fields[name];
    if (typeof value === 'boolean') return value;
  }
  return fallback;
}

/** Where the default {@link BaseUserAuthentication.getCredentialStamp} looks for the hash. */
const HASH_FIELDS = ['passwordHash', 'password_hash', 'hashedPassword', 'hashed_password'];

function firstString(user: unknown, names: readonly string[]): string | null {
  const fields = record(user);
  for (const name of names) {
    const value = fields[name];
    if (typeof value === 'string') return value;
  }
  return null;
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

  /** Hashes `checkPassword` upgraded, by user object: the stamp of that login counts them. */
  private readonly upgraded = new WeakMap<object, string>();

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

  // ---- Account flows (register, verify, reset, self-service, admin). All optional: a route whose
  // ---- methods are missing is not in `auth.accountControllers`, and `auth.status()` says why.

  /**
   * Finds the user of an address, for registration, verification and password reset. Receives the
   * address trimmed and lower-cased. May return a row that a case- or accent-insensitive collation
   * matched (MariaDB's default): the library keeps it only when {@link getEmail} equals the address
   * exactly. No default (the account routes that need it are not mounted). Async.
   */
  findByEmail?(email: string): Promise<User | null>;

  /**
   * Creates an active, unverified user with your default roles and returns it. Let a unique-index
   * violation through as the driver's error (or throw `EmailTakenError`): either answers 409
   * `email_taken`. No default. Async.
   */
  createUser?(input: NewUser): Promise<User>;

  /** Applies `changes` (only the fields present) and returns the updated user. No default. Async. */
  updateUser?(user: User, changes: UserChanges): Promise<User>;

  /** Deletes the user (its tokens are revoked by the library). No default. Async. */
  deleteUser?(user: User): Promise<void>;

  /** The user's address as stored. Default: `user.email` when it is a string, else `null`. Sync or async. */
  getEmail(user: User): string | null | Promise<string | null> {
    const email = record(user).email;
    return typeof email === 'string' ? email : null;
  }

  /**
   * What must not change while a login is in flight: the login takes it from the user
   * `authenticate` returned, starts the session, reads the user again with `getUserById` (one
   * query per login) and takes it again. Different — or the user gone or inactive — and the new
   * session is revoked and the login answers 401 `invalid_credentials` (counted by the throttle
   * like a wrong password): a password reset, a password change or an address change that
   * committed while the login's bcrypt ran does not leave a session behind. Default: a SHA-256 of
   * the password hash (`passwordHash` / `password_hash` / `hashedPassword` / `hashed_password`,
   * or the hash `checkPassword` just upgraded it to) and {@link getEmail}. Override it when your
   * hash lives elsewhere, or to add what else ends sessions in your model (a security stamp
   * column). Sync or async.
   */
  getCredentialStamp(user: User): string | Promise<string> {
    const hash =
      (typeof user === 'object' && user !== null ? this.upgraded.get(user) : undefined) ??
      firstString(user, HASH_FIELDS);
    const stamp = (email: string | null): string =>
      createHash('sha256')
        .update(JSON.stringify([hash, email]), 'utf8')
        .digest('hex');
    const email = this.getEmail(user);
    return email instanceof Promise ? email.then(stamp) : stamp(email);
  }

  /**
   * The user as the account routes answer with it. Default: the user's own enumerable fields,
   * except any whose name contains `pass`, `hash`, `secret`, `salt` or `token`. Sync or async.
   */
  toPublicUser(user: User): Record<string, unknown> | Promise<Record<string, unknown>> {
    return Object.fromEntries(
      Object.entries(record(user)).filter(
        ([name, value]) => !SECRET_FIELD.test(name) && typeof value !== 'function',
      ),
    );
  }

  // ---- Hooks, named after fastapi-users'. The `onAfter*` hooks run off the request path, after
  // ---- the answer went out: a failure is logged and changes nothing. Defaults do nothing.

  /** After a user registered. */
  onAfterRegister(_user: User, _client: ClientInfo): void | Promise<void> {
    return undefined;
  }

  /** After a successful login (any login route), once the tokens are issued. */
  onAfterLogin(_user: User, _client: ClientInfo): void | Promise<void> {
    return undefined;
  }

  /** After a verify token was made for the user (it is also mailed when a mailer is set). */
  onAfterRequestVerify(_user: User, _token: string): void | Promise<void> {
    return undefined;
  }

  /** After the user's address was verified. */
  onAfterVerify(_user: User): void | Promise<void> {
    return undefined;
  }

  /** After a reset token was made for the user (it is also mailed when a mailer is set). */
  onAfterForgotPassword(_user: User, _token: string): void | Promise<void> {
    return undefined;
  }

  /** After the user's password was reset with a token. */
  onAfterResetPassword(_user: User): void | Promise<void> {
    return undefined;
  }

  /**
   * After the user was updated (self-service, password change or admin). `changes` names what
   * changed, never the password hash: a password change arrives as `{ passwordChanged: true }`.
   */
  onAfterUpdate(_user: User, _changes: UpdatedFields): void | Promise<void> {
    return undefined;
  }

  /**
   * Before the user is deleted, on the request path: throw an `AuthError` to refuse the deletion.
   * May be async.
   */
  onBeforeDelete(_user: User): void | Promise<void> {
    return undefined;
  }

  /** After the user was deleted and every token of theirs revoked. */
  onAfterDelete(_user: User): void | Promise<void> {
    return undefined;
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
      const upgraded = await this.passwords.hash(password);
      await this.updatePasswordHash(user, upgraded);
      if (typeof user === 'object') this.upgraded.set(user, upgraded);
    }
    return ok;
  }
}
