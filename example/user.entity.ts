import { Exclude } from 'class-transformer';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The example's user. Roles and permissions are `simple-json` text columns, which behave the same
 * on SQLite, PostgreSQL and MariaDB/MySQL.
 */
@Entity('users')
export class User {
  /** Auto-increment id; tokens carry it as the string `sub`. */
  @PrimaryGeneratedColumn()
  id!: number;

  /** Login name, stored lower-cased; 320 is the longest valid address. */
  @Column({ type: 'varchar', length: 320, unique: true })
  email!: string;

  /** bcrypt hash. Never serialized: responses use {@link toPublicUser}. */
  @Exclude()
  @Column({ type: 'varchar', length: 100 })
  passwordHash!: string;

  /** Role names, e.g. `["admin"]`. */
  @Column({ type: 'simple-json' })
  roles!: string[];

  /** Permission names, e.g. `["users:delete"]`. */
  @Column({ type: 'simple-json' })
  permissions!: string[];

  /** Inactive users cannot log in, and their live tokens stop working. */
  @Column({ type: 'boolean', default: true })
  isActive!: boolean;

  /** Whether the email address was verified. */
  @Column({ type: 'boolean', default: false })
  isVerified!: boolean;

  /** When the account was created. */
  @CreateDateColumn()
  createdAt!: Date;
}

/** A user as the API shows it: every field but the password hash. */
export type PublicUser = Omit<User, 'passwordHash'>;

/** Maps a user to its public shape, field by field, so a hash can never leak into a response. */
export function toPublicUser(user: User): PublicUser {
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
