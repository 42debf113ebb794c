import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis } from './columns';

/**
 * One issued token, keyed by its `jti` (primary key, so validation is one indexed lookup).
 * The raw token is never stored. A rotated refresh token keeps the `jti` of its successor in
 * `replacedBy`, which is how a replay is recognized. Table `auth_tokens`.
 */
@Entity({ name: 'auth_tokens' })
export class AuthTokenEntity {
  /** The token's `jti` (random UUID). */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  jti!: string;

  /** The session (`sid`) the token belongs to. */
  @Index('idx_auth_tokens_session_id')
  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId!: string;

  /** The user's id as a string (`sub`). */
  @Index('idx_auth_tokens_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 191 })
  userId!: string;

  /** Its purpose (`TokenType`). */
  @Column({ type: 'varchar', length: 16 })
  type!: string;

  /** The session generation it was issued in; rotation deletes rows two generations old. */
  @Column({ type: 'int', default: 0 })
  generation!: number;

  /** When it was issued (epoch ms). */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: number;

  /** Its `exp` (epoch ms). */
  @Index('idx_auth_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillis })
  expiresAt!: number;

  /** When it was revoked or rotated (epoch ms), or null while live. */
  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMillis })
  revokedAt!: number | null;

  /** For a rotated refresh token: the `jti` of the refresh token that replaced it. */
  @Column({ name: 'replaced_by', type: 'varchar', length: 36, nullable: true })
  replacedBy!: string | null;
}
