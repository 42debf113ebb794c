import type { Repository } from 'typeorm';
import {
  BaseUserAuthentication,
  type LoginCredentials,
  type NewUser,
  type UserChanges,
} from 'routing-controllers-auth';
import { parseUserId } from './user-id';
import { toPublicUser, type PublicUser, type User } from './user.entity';

/** Emails are compared lower-cased and trimmed, at registration and at login alike. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The bridge between the library and the example's `User` table. Roles, permissions, `isActive`
 * and `isVerified` use the base class defaults, which read the fields of the same names.
 */
export class ExampleAuth extends BaseUserAuthentication<User> {
  /** @param users - the repository of {@link User}. */
  constructor(readonly users: Repository<User>) {
    super();
  }

  /**
   * Logs in by email. An unknown email still costs one bcrypt compare (`checkPassword`), so the
   * answer time does not reveal which emails have accounts.
   *
   * The row found must carry exactly the address asked for: a case- and accent-insensitive
   * collation (MariaDB/MySQL `utf8mb4_general_ci`) also returns alice's row for `alicé@…` or
   * `ÅLICE@…`, and a spelling that is not the account's own must not sign in as it.
   */
  async authenticate({ username, password }: LoginCredentials): Promise<User | null> {
    const email = normalizeEmail(username);
    const found = await this.users.findOneBy({ email });
    const user = found?.email === email ? found : null;
    return (await this.checkPassword(user, password, user?.passwordHash)) ? user : null;
  }

  /** Loads the user of a token's `sub`; a `sub` that is not a valid id is `null`, not a query. */
  async getUserById(id: string): Promise<User | null> {
    const userId = parseUserId(id);
    return userId === null ? null : this.users.findOneBy({ id: userId });
  }

  /** The user's numeric id. */
  getUserId(user: User): number {
    return user.id;
  }

  /** The account flows' lookup: the row must carry exactly this address (see `authenticate`). */
  override async findByEmail(email: string): Promise<User | null> {
    const found = await this.users.findOneBy({ email });
    return found?.email === email ? found : null;
  }

  /** Self-service sign-up: role `user`, active, not verified. The unique index decides a race. */
  override async createUser({ email, passwordHash }: NewUser): Promise<User> {
    const user = this.users.create({
      email,
      passwordHash,
      roles: ['user'],
      permissions: [],
      isActive: true,
      isVerified: false,
    });
    await this.users.insert(user);
    return (await this.users.findOneBy({ id: user.id })) ?? user;
  }

  /** Applies the library's changes (address, hash, active, verified, roles). */
  override async updateUser(user: User, changes: UserChanges): Promise<User> {
    await this.users.update({ id: user.id }, changes);
    Object.assign(user, changes);
    return user;
  }

  /** Deletes the row (the library revoked the user's tokens first). */
  override async deleteUser(user: User): Promise<void> {
    await this.users.delete({ id: user.id });
  }

  /** Every field but the hash. */
  override toPublicUser(user: User): PublicUser {
    return toPublicUser(user);
  }

  /**
   * Persists a hash upgraded to the configured bcrypt cost at login, only over the hash the login
   * checked: a reset that committed during the login's bcrypt is never overwritten.
   */
  override async updatePasswordHash(user: User, newHash: string): Promise<void> {
    const written = await this.users.update(
      { id: user.id, passwordHash: user.passwordHash },
      { passwordHash: newHash },
    );
    if (written.affected === 1) user.passwordHash = newHash;
  }
}
