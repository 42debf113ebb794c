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

  /**
   * `"login"` for sessions from a login (listed, counted against `maxSessionsPerUser`); the
   * purpose (`"verify"`, `"reset"`, `"mfa"`) for the private session of a single-use token.
   */
  @Column({ type: 'varchar', length: 16, default: 'login' })
  kind!: string;

  /** Refresh generation: 0 at login, +1 on every rotation. */
  @Column({ type: 'int', default: 0 })
  generation!: number;

  /** `jti` of the refresh token of the current generation. */
  @Column({ name: 'refresh_jti', type: 'varchar', length: 36, nullable: true })
  refreshJti!: string | null;

  /** `jti` of the access token issued with it. */
  @Column({ name: 'access_jti', type: 'varchar', length: 36, nullable: true })
  accessJti!: string | null;

  /** Extra claims of the current generation as JSON, carried over on refresh. */
  @Column({ type: 'text', nullable: true })
  claims!: string | null;

  /** User-Agent given at login, truncated to 512 characters. */
  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  /** Client IP given at login. */
  @Column({ name: 'ip', type: 'varchar', length: 64, nullable: true })
  ip!: string | null;
}
