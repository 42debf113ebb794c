import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis } from './columns';

/**
 * One login: every token issued from it shares its id (`sid`). Revoking the session kills all of
 * them. `expiresAt` is the absolute end of the session: refresh rotation never moves it.
 * Table `auth_sessions`.
 */
@Entity({ name: 'auth_sessions' })
export class AuthSessionEntity {
  /** Random UUID, carried in tokens as `sid`. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** The user's id as a string. */
  @Index('idx_auth_sessions_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 191 })
  userId!: string;

  /** When the session started (epoch ms). */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: number;

  /** When the session last got tokens: login or refresh (epoch ms). */
  @Column({ name: 'last_used_at', type: 'bigint', transformer: epochMillis })
  lastUsedAt!: number;

  /** Absolute end of the session (epoch ms). */
  @Index('idx_auth_sessions_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillis })
  expiresAt!: number;

  /** When it was revoked (epoch ms), or null while live. */
  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMillis })
  revokedAt!: number | null;

  /** User-Agent given at login, truncated to 512 characters. */
  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  /** Client IP given at login. */
  @Column({ name: 'ip', type: 'varchar', length: 64, nullable: true })
  ip!: string | null;
}
