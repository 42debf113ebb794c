import { createHash } from 'node:crypto';
import {
  BeforeInsert,
  BeforeUpdate,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { normalizeEmail } from './dto';

/**
 * The SHA-256 (hex) of a normalized address: the unique key of the ready user tables. Hex is
 * plain ASCII, so the unique index compares it exactly on every engine — MariaDB's default
 * collation would call `alice@…` and `alicé@…` (or `alice@… `) the same address.
 */
export function emailKeyOf(email: string): string {
  return createHash('sha256').update(normalizeEmail(email), 'utf8').digest('hex');
}

/**
 * The columns of the ready user tables (fastapi-users' base user table): address, bcrypt hash,
 * active, verified, roles, permissions, timestamps. Extend {@link AuthUser} or
 * {@link AuthUuidUser}; this class has no table of its own.
 */
export abstract class AuthUserColumns {
  /** The address, trimmed and lower-cased. */
  @Column({ type: 'varchar', length: 320 })
  email!: string;

  /** SHA-256 of the normalized address, unique: the database enforces one account per address. */
  @Index('IDX_auth_users_email_key', { unique: true })
  @Column({ name: 'email_key', type: 'varchar', length: 64 })
  emailKey!: string;

  /** bcrypt hash; never in an answer (`toPublicUser` drops it). */
  @Column({ name: 'password_hash', type: 'varchar', length: 100 })
  passwordHash!: string;

  /** Inactive users cannot log in, and their live tokens stop working. */
  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive!: boolean;

  /** Whether the address was verified. */
  @Column({ name: 'is_verified', type: 'boolean', default: false })
  isVerified!: boolean;

  /** Role names. */
  @Column({ type: 'simple-json' })
  roles!: string[];

  /** Permission names, e.g. `users:read`. */
  @Column({ type: 'simple-json' })
  permissions!: string[];

  /** When the user registered. */
  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  /** When the row last changed. */
  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;

  /** Keeps `email` normalized and `emailKey` in step with it. */
  @BeforeInsert()
  @BeforeUpdate()
  protected syncEmailKey(): void {
    if (typeof this.email === 'string') {
      this.email = normalizeEmail(this.email);
      this.emailKey = emailKeyOf(this.email);
    }
  }
}

/** The ready user table with an auto-increment integer id (table `auth_users`). */
@Entity('auth_users')
export class AuthUser extends AuthUserColumns {
  /** Auto-increment id; tokens carry it as the string `sub`. */
  @PrimaryGeneratedColumn()
  id!: number;
}

/** The ready user table with a UUID id (table `auth_uuid_users`). */
@Entity('auth_uuid_users')
export class AuthUuidUser extends AuthUserColumns {
  /** UUID id. */
  @PrimaryGeneratedColumn('uuid')
  id!: string;
}
