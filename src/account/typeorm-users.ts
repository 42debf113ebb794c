import type { Repository } from 'typeorm';
import type { LoginCredentials, NewUser, UserChanges } from '../users/base-user-authentication';
import { BaseUserAuthentication } from '../users/base-user-authentication';
import { normalizeEmail } from './dto';
import { emailKeyOf, type AuthUser, type AuthUuidUser } from './user-entity';

/** The largest id an INTEGER auto-increment column holds on all three databases. */
const MAX_INT_ID = 2_147_483_647;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Options of {@link TypeOrmUserAuthentication}. */
export interface TypeOrmUserOptions {
  /** Roles a registered user gets. Default `["user"]`. */
  defaultRoles?: string[];
}

/**
 * A ready bridge for {@link AuthUser} or {@link AuthUuidUser}: login by address, every account
 * bridge method, ids parsed strictly (a `sub` or path id that is not one of the table's ids is
 * `null`, never a query). A working account system in a few lines:
 *
 * @example
 * ```ts
 * const dataSource = new DataSource({ type: 'better-sqlite3', database: 'app.db',
 *   entities: [AuthUser, ...AUTH_ENTITIES], synchronize: true });
 * await dataSource.initialize();
 * const auth = setupAuth({ dataSource,
 *   userAuthentication: new TypeOrmUserAuthentication(dataSource.getRepository(AuthUser)) });
 * useExpressServer(app, { ...auth.serverOptions,
 *   controllers: [AuthController, ...auth.accountControllers] });
 * ```
 */
export class TypeOrmUserAuthentication<
  User extends AuthUser | AuthUuidUser,
> extends BaseUserAuthentication<User> {
  private readonly defaultRoles: string[];
  private readonly uuidIds: boolean;

  /**
   * @param users - the repository of {@link AuthUser}, {@link AuthUuidUser} or a subclass.
   * @param options - default roles.
   */
  constructor(
    readonly users: Repository<User>,
    options: TypeOrmUserOptions = {},
  ) {
    super();
    this.defaultRoles = options.defaultRoles ?? ['user'];
    this.uuidIds = users.metadata.primaryColumns[0]?.generationStrategy === 'uuid';
  }

  private parseId(raw: string): number | string | null {
    if (this.uuidIds) return UUID.test(raw) ? raw : null;
    if (!/^[1-9]\d{0,9}$/.test(raw)) return null;
    const id = Number(raw);
    return id <= MAX_INT_ID ? id : null;
  }

  /** By exact normalized address (looked up by its hash, compared in JS). */
  override async findByEmail(email: string): Promise<User | null> {
    const normalized = normalizeEmail(email);
    const found = await this.users.findOne({
      where: { emailKey: emailKeyOf(normalized) } as never,
    });
    return found?.email === normalized ? found : null;
  }

  /** Logs in by address; an unknown address still costs one bcrypt compare. */
  async authenticate({ username, password }: LoginCredentials): Promise<User | null> {
    const user = await this.findByEmail(username);
    return (await this.checkPassword(user, password, user?.passwordHash)) ? user : null;
  }

  /** Loads a user by id; an id of the wrong form is `null`, not a query. */
  async getUserById(id: string): Promise<User | null> {
    const parsed = this.parseId(id);
    return parsed === null ? null : this.users.findOne({ where: { id: parsed } as never });
  }

  /** The user's id. */
  getUserId(user: User): string | number {
    return user.id;
  }

  /**
   * Inserts an active, unverified user with the default roles; the unique index on the address
   * key decides a race (one plain INSERT, no transaction around it: concurrent sign-ups end in
   * one row and unique violations, not lock waits).
   */
  override async createUser({ email, passwordHash }: NewUser): Promise<User> {
    const normalized = normalizeEmail(email);
    const user: User = this.users.create({
      email: normalized,
      emailKey: emailKeyOf(normalized),
      passwordHash,
      roles: [...this.defaultRoles],
      permissions: [],
      isActive: true,
      isVerified: false,
    } as never) as unknown as User;
    await this.users.insert(user as never);
    const saved = await this.findByEmail(normalized);
    if (saved === null) throw new Error('the inserted user was not found');
    return saved;
  }

  /**
   * Writes only the changed columns (never the rest of a row read earlier: a concurrent change of
   * another field survives) and returns the user as stored now.
   */
  override async updateUser(user: User, changes: UserChanges): Promise<User> {
    const email = changes.email === undefined ? undefined : normalizeEmail(changes.email);
    const columns = {
      ...changes,
      ...(email === undefined ? {} : { email, emailKey: emailKeyOf(email) }),
    };
    await this.users.update({ id: user.id } as never, columns as never);
    const stored = await this.users.findOne({ where: { id: user.id } as never });
    if (stored === null) throw new Error('the updated user was not found');
    return stored;
  }

  /** Deletes the row. */
  override async deleteUser(user: User): Promise<void> {
    await this.users.delete({ id: user.id } as never);
  }

  /**
   * Persists a hash upgraded to the configured cost at login, only over the hash the login
   * checked: a reset or a password change that committed meanwhile is never overwritten.
   */
  override async updatePasswordHash(user: User, newHash: string): Promise<void> {
    const written = await this.users.update(
      { id: user.id, passwordHash: user.passwordHash } as never,
      { passwordHash: newHash } as never,
    );
    if (written.affected === 1) user.passwordHash = newHash;
  }

  /** The user without its hash and its address key. */
  override toPublicUser(user: User): Record<string, unknown> {
    return {
      id: user.id,
      email: user.email,
      isActive: user.isActive,
      isVerified: user.isVerified,
      roles: user.roles,
      permissions: user.permissions,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
  }
}
