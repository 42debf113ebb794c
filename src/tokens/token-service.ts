import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ResolvedAuthConfig } from '../config/resolved';
import {
  ExpiredTokenError,
  InvalidTokenError,
  RefreshTokenReuseError,
  RevokedTokenError,
} from '../errors/token-errors';
import type { ClaimValue } from '../users/base-user-authentication';
import type { AccessClaims, ClaimsOf, RefreshClaims, TokenClaims, TokenType } from './claims';
import { encodeToken, verifyToken } from './jwt';
import type { AuthSessionEntity } from './store/session.entity';
import { TokenStore, type LiveTokenRow, type NewToken } from './store/token-store';

/**
 * What a login or a refresh hands back. camelCase in TypeScript; the ready-made routes send it on
 * the OAuth wire as `{ access_token, refresh_token, token_type, expires_in, refresh_expires_in }`
 * (see `toTokenResponse`).
 */
export interface TokenPair {
  /** The access token (JWT). */
  accessToken: string;
  /** The refresh token (JWT). */
  refreshToken: string;
  /** Always `"bearer"`. */
  tokenType: 'bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** Seconds until the refresh token (and the session) expires. */
  refreshExpiresIn: number;
  /** The session both tokens belong to (`sid`). */
  sessionId: string;
}

/** Who the token is for and where the login came from. */
export interface IssueOptions {
  /** Extra claims; only names allowed by the `extraClaims` option are copied. */
  claims?: Record<string, ClaimValue>;
  /** User-Agent to show in the session list (truncated to 512 characters). */
  userAgent?: string | null;
  /** Client IP to show in the session list. */
  ip?: string | null;
}

/** A live session as listed by {@link TokenService.listSessions}. */
export interface SessionInfo {
  /** Session id (`sid`). */
  id: string;
  /** When it started. */
  createdAt: Date;
  /** When it last got tokens (login or refresh). */
  lastUsedAt: Date;
  /** Absolute end of the session. */
  expiresAt: Date;
  /** User-Agent given at login. */
  userAgent: string | null;
  /** Client IP given at login. */
  ip: string | null;
}

/** What {@link TokenService.purgeExpired} deleted. */
export interface PurgeResult {
  /** Token rows deleted. */
  tokens: number;
  /** Session rows deleted. */
  sessions: number;
}

/**
 * The stateful token engine: creates, validates, rotates and revokes tokens, each one recorded
 * in the database (only its `jti`, never the raw token). A token is valid exactly while its row
 * and its session are live and bound to its `sub`.
 *
 * `setupAuth` registers one in typedi; you can also build one by hand.
 *
 * @example
 * ```ts
 * const tokens = new TokenService(dataSource, resolveAuthConfig({ secretKey }));
 * const pair = await tokens.createTokenPair(user.id, { userAgent: req.get('user-agent') });
 * const claims = await tokens.validateAccessToken(pair.access_token);
 * const next = await tokens.refresh(pair.refresh_token); // the old refresh token is dead now
 * await tokens.revokeSession(claims.sid);                  // logout
 * ```
 */
export class TokenService {
  /** The store behind this service. */
  readonly store: TokenStore;

  /**
   * @param dataSource - an initialized TypeORM DataSource that includes `AUTH_ENTITIES`.
   * @param config - the resolved configuration (`resolveAuthConfig`).
   */
  constructor(
    dataSource: DataSource,
    readonly config: ResolvedAuthConfig,
  ) {
    this.store = new TokenStore(dataSource);
  }

  private nowSeconds(): number {
    return Math.floor(this.config.now() / 1000);
  }

  private claimsFor(
    type: TokenType,
    subject: string,
    sessionId: string,
    iat: number,
    exp: number,
    extra: Record<string, ClaimValue> | undefined,
  ): TokenClaims {
    const claims: TokenClaims = {
      sub: subject,
      jti: randomUUID(),
      type,
      sid: sessionId,
      iat,
      exp,
      iss: this.config.issuer,
      aud: this.config.audience,
    };
    for (const name of this.config.extraClaims) {
      const value = extra?.[name];
      if (value !== undefined) claims[name] = value;
    }
    // Registered claims are assigned above and can never be overwritten: extraClaims excludes them.
    return claims;
  }

  private row(claims: TokenClaims): NewToken {
    return {
      jti: claims.jti,
      sessionId: claims.sid,
      userId: claims.sub,
      type: claims.type,
      createdAt: claims.iat * 1000,
      expiresAt: claims.exp * 1000,
    };
  }

  private pairFor(
    subject: string,
    sessionId: string,
    sessionEnd: number,
    extra: Record<string, ClaimValue> | undefined,
  ): { access: TokenClaims; refresh: TokenClaims; pair: TokenPair } {
    const iat = this.nowSeconds();
    const accessExp = Math.min(iat + this.config.accessTokenTtlSeconds, sessionEnd);
    const access = this.claimsFor('access', subject, sessionId, iat, accessExp, extra);
    const refresh = this.claimsFor('refresh', subject, sessionId, iat, sessionEnd, extra);
    return {
      access,
      refresh,
      pair: {
        accessToken: encodeToken(access, this.config),
        refreshToken: encodeToken(refresh, this.config),
        tokenType: 'bearer',
        expiresIn: accessExp - iat,
        refreshExpiresIn: sessionEnd - iat,
        sessionId,
      },
    };
  }

  /**
   * Starts a session and issues its access and refresh tokens. The session's absolute lifetime is
   * `refreshTokenExpireDays`.
   */
  async createTokenPair(userId: string | number, options: IssueOptions = {}): Promise<TokenPair> {
    const subject = String(userId);
    const sessionId = randomUUID();
    const sessionEnd = this.nowSeconds() + this.config.refreshTokenTtlSeconds;
    const { access, refresh, pair } = this.pairFor(subject, sessionId, sessionEnd, options.claims);
    await this.store.createSession(
      {
        id: sessionId,
        userId: subject,
        createdAt: access.iat * 1000,
        expiresAt: sessionEnd * 1000,
        userAgent: options.userAgent?.slice(0, 512) ?? null,
        ip: options.ip?.slice(0, 64) ?? null,
      },
      [this.row(access), this.row(refresh)],
    );
    return pair;
  }

  /**
   * Issues one token of `type`. With `sessionId`, it joins that live session of the same user
   * (throws {@link RevokedTokenError} otherwise); without, it starts a session of its own that
   * ends when the token does.
   */
  async createToken(
    type: TokenType,
    userId: string | number,
    options: IssueOptions & { sessionId?: string } = {},
  ): Promise<string> {
    const subject = String(userId);
    const iat = this.nowSeconds();
    const ttl =
      type === 'access' ? this.config.accessTokenTtlSeconds : this.config.refreshTokenTtlSeconds;
    const sessionId = options.sessionId ?? randomUUID();
    const claims = this.claimsFor(type, subject, sessionId, iat, iat + ttl, options.claims);
    if (options.sessionId === undefined) {
      await this.store.createSession(
        {
          id: sessionId,
          userId: subject,
          createdAt: iat * 1000,
          expiresAt: claims.exp * 1000,
          userAgent: options.userAgent?.slice(0, 512) ?? null,
          ip: options.ip?.slice(0, 64) ?? null,
        },
        [this.row(claims)],
      );
    } else if (!(await this.store.addTokens(sessionId, subject, [this.row(claims)], iat * 1000))) {
      throw new RevokedTokenError();
    }
    return encodeToken(claims, this.config);
  }

  /** Issues an access token; see {@link TokenService.createToken}. */
  createAccessToken(
    userId: string | number,
    options?: IssueOptions & { sessionId?: string },
  ): Promise<string> {
    return this.createToken('access', userId, options);
  }

  /** Issues a refresh token; see {@link TokenService.createToken}. */
  createRefreshToken(
    userId: string | number,
    options?: IssueOptions & { sessionId?: string },
  ): Promise<string> {
    return this.createToken('refresh', userId, options);
  }

  /**
   * Verifies a token statelessly (signature, algorithm, `exp`, `nbf`, `iss`, `aud`, `type`),
   * then with ONE indexed query checks that its row and session are live and bound to its `sub`.
   * A refresh token that was already rotated counts as reuse: its session is revoked.
   *
   * @throws {@link InvalidTokenError}, {@link ExpiredTokenError}, {@link RevokedTokenError},
   * {@link RefreshTokenReuseError}, `WrongTokenTypeError`, or `AuthUnavailableError` (503) when
   * the store cannot be reached.
   */
  async validateToken<T extends TokenType>(token: string, type: T): Promise<ClaimsOf<T>> {
    const claims = this.verify(token, type);
    await this.assertStored(claims);
    return claims;
  }

  /** The stateless half of {@link TokenService.validateToken}: no store query. */
  verify<T extends TokenType>(token: string, type: T): ClaimsOf<T> {
    return verifyToken(token, type, this.config);
  }

  /**
   * The store half of {@link TokenService.validateToken}, for claims from
   * {@link TokenService.verify}: one indexed query.
   */
  async assertStored(claims: TokenClaims): Promise<void> {
    const row = await this.store.lookup(claims.jti);
    if (claims.type === 'refresh' && this.isReplay(claims, row)) {
      await this.store.revokeSession(claims.sid, this.config.now());
      throw new RefreshTokenReuseError();
    }
    this.assertLive(claims, row);
  }

  private isReplay(claims: TokenClaims, row: LiveTokenRow | null): boolean {
    return row?.replacedBy != null && row.userId === claims.sub && row.sessionId === claims.sid;
  }

  /** {@link TokenService.validateToken} for an access token. */
  validateAccessToken(token: string): Promise<AccessClaims> {
    return this.validateToken(token, 'access');
  }

  /** {@link TokenService.validateToken} for a refresh token. */
  validateRefreshToken(token: string): Promise<RefreshClaims> {
    return this.validateToken(token, 'refresh');
  }

  private assertLive(claims: TokenClaims, row: LiveTokenRow | null): asserts row is LiveTokenRow {
    if (
      row === null ||
      row.userId !== claims.sub ||
      row.sessionId !== claims.sid ||
      row.type !== claims.type
    ) {
      throw new InvalidTokenError();
    }
    if (row.revokedAt !== null || row.sessionRevokedAt !== null) throw new RevokedTokenError();
    const now = this.config.now();
    if (row.expiresAt <= now - this.config.leewaySeconds * 1000 || row.sessionExpiresAt <= now) {
      throw new ExpiredTokenError();
    }
  }

  /**
   * Rotates a refresh token: the presented one dies in the same transaction that records the new
   * pair. The session keeps its absolute end. Presenting an already-rotated refresh token again is
   * reuse: the whole session is revoked (its newest tokens too) and
   * {@link RefreshTokenReuseError} is thrown. Of concurrent refreshes with one token, exactly one
   * succeeds; the others count as reuse.
   */
  async refresh(
    refreshToken: string,
    options: Pick<IssueOptions, 'claims'> = {},
  ): Promise<TokenPair> {
    const claims = verifyToken(refreshToken, 'refresh', this.config);
    const { access, refresh, pair } = this.pairFor(
      claims.sub,
      claims.sid,
      claims.exp,
      options.claims,
    );
    const rotated = await this.store.rotate(
      { jti: claims.jti, userId: claims.sub, sessionId: claims.sid },
      refresh.jti,
      [this.row(access), this.row(refresh)],
      this.config.now(),
    );
    if (rotated) return pair;
    await this.assertStored(claims);
    // Live row yet rotation refused: its session died between the two statements.
    throw new RevokedTokenError();
  }

  /** Revokes one token by its raw form (verified first) or by its `jti`. `true` if it was live. */
  async revokeToken(tokenOrJti: string): Promise<boolean> {
    const jti = tokenOrJti.includes('.') ? this.peekJti(tokenOrJti) : tokenOrJti;
    return this.store.revokeToken(jti, this.config.now());
  }

  private peekJti(token: string): string {
    try {
      return verifyToken(token, 'access', this.config).jti;
    } catch (error) {
      if (error instanceof ExpiredTokenError) throw error;
      return verifyToken(token, 'refresh', this.config).jti;
    }
  }

  /**
   * Revokes a session: both its tokens (and any other) die at once. With `userId`, only that
   * user's session is touched. `true` if it was live.
   */
  revokeSession(sessionId: string, userId?: string | number): Promise<boolean> {
    return this.store.revokeSession(
      sessionId,
      this.config.now(),
      userId === undefined ? undefined : String(userId),
    );
  }

  /** Revokes every session of a user ("log out everywhere"). Returns how many were live. */
  revokeAllForUser(userId: string | number): Promise<number> {
    return this.store.revokeUser(String(userId), this.config.now());
  }

  /** A user's live sessions, newest first. */
  async listSessions(userId: string | number): Promise<SessionInfo[]> {
    const sessions = await this.store.listSessions(String(userId), this.config.now());
    return sessions.map((s: AuthSessionEntity) => ({
      id: s.id,
      createdAt: new Date(s.createdAt),
      lastUsedAt: new Date(s.lastUsedAt),
      expiresAt: new Date(s.expiresAt),
      userAgent: s.userAgent,
      ip: s.ip,
    }));
  }

  /**
   * Deletes rows whose token or session expired (beyond the leeway). Schedule it, e.g. hourly.
   * Revoked rows are kept until they expire, so a replayed refresh token is still recognized.
   */
  purgeExpired(): Promise<PurgeResult> {
    return this.store.purgeExpired(this.config.now() - this.config.leewaySeconds * 1000);
  }
}
