import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ValidationCache } from '../cache/validation-cache';
import type { ResolvedAuthConfig } from '../config/resolved';
import {
  ExpiredTokenError,
  InvalidTokenError,
  RefreshTokenReuseError,
  RevokedTokenError,
} from '../errors/token-errors';
import type { ClaimValue } from '../users/base-user-authentication';
import type {
  AccessClaims,
  ClaimsOf,
  RefreshClaims,
  SingleUseClaims,
  TokenClaims,
  TokenType,
} from './claims';
import { allowedClaims, buildClaims, rowOf, type ExtraClaims } from './issue';
import { encodeToken, isCanonicalId, verifyToken } from './jwt';
import { TOKEN_PURPOSES } from './purposes';
import { RefreshRateLimiter } from './refresh-limit';
import type {
  LiveTokenRow,
  PurgeOptions,
  SessionKind,
  StoredSession,
  TokenStorePort,
} from './store/port';
import { TokenStore } from './store/token-store';

/**
 * What a login or a refresh hands back (camelCase; the OAuth 2.0 wire names, `access_token` etc.,
 * are produced by the HTTP layer).
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
  /**
   * Extra claims. Every name must be listed in the `extraClaims` option, or the call throws an
   * `AuthConfigError` (nothing is dropped silently). Claims issued with a session are stored
   * with it and carried over on refresh.
   */
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

/** The purposes consumed once by {@link TokenService.consumeToken}. */
export type SingleUseType = 'verify' | 'reset' | 'mfa';

/** Rotations retried when the session moved under us (another token of it rotated). */
const ROTATION_ATTEMPTS = 3;

function isPort(source: DataSource | TokenStorePort): source is TokenStorePort {
  return typeof (source as Partial<TokenStorePort>).rotate === 'function';
}

/**
 * The stateful token engine: creates, validates, rotates and revokes tokens, each one recorded
 * in the store (only its `jti`, never the raw token). A token is valid exactly while its row
 * and its session are live and bound to its `sub`.
 *
 * Rotation keeps a session bounded: every refresh moves the session one generation on and
 * deletes the rows two generations back, so a session holds at most its current and previous
 * pair however often it refreshes; a refresh token whose row is gone is still recognized as
 * reuse through its `gen` claim. A user holds at most `maxSessionsPerUser` live sessions, and a
 * session may refresh at most `refreshRateLimit` times a minute (per instance).
 *
 * `setupAuth` registers one in typedi; you can also build one by hand, on a DataSource (the
 * TypeORM store) or on any {@link TokenStorePort}.
 *
 * @example
 * ```ts
 * const tokens = new TokenService(dataSource, resolveAuthConfig({ secretKey }));
 * const pair = await tokens.createTokenPair(user.id, { userAgent: req.get('user-agent') });
 * const claims = await tokens.validateAccessToken(pair.accessToken);
 * const next = await tokens.refresh(pair.refreshToken); // the old refresh token is dead now
 * await tokens.revokeSession(claims.sid);                // logout
 * ```
 */
export class TokenService {
  /** The store behind this service. */
  readonly store: TokenStorePort;
  /**
   * @internal The validation cache, or `null` (strict). Only `setupAuth` sets it, together with
   * a store that announces its revocations to it (see `withValidationCache`).
   */
  validationCache: ValidationCache | null = null;
  private readonly refreshLimit: RefreshRateLimiter | null;

  /**
   * @param source - an initialized TypeORM DataSource that includes `AUTH_ENTITIES`, or a store.
   * @param config - the resolved configuration (`resolveAuthConfig`).
   */
  constructor(
    source: DataSource | TokenStorePort,
    readonly config: ResolvedAuthConfig,
  ) {
    this.store = isPort(source) ? source : new TokenStore(source);
    const limit = config.refreshRateLimit;
    this.refreshLimit = limit === null ? null : new RefreshRateLimiter(limit, config.now);
  }

  private nowSeconds(): number {
    return Math.floor(this.config.now() / 1000);
  }

  private sign(claims: TokenClaims): string {
    return encodeToken(claims, this.config);
  }

  /** The access and refresh claims of one generation of a session, and the pair they make. */
  private pairFor(spec: {
    subject: string;
    sessionId: string;
    iat: number;
    sessionEnd: number;
    generation: number;
    extra: ExtraClaims;
    jtis?: { access: string; refresh: string };
  }): { access: TokenClaims; refresh: TokenClaims; pair: TokenPair } {
    const { subject, sessionId, iat, sessionEnd, generation, extra } = spec;
    const accessExp = Math.min(iat + this.config.accessTokenTtlSeconds, sessionEnd);
    const common = { subject, sessionId, iat, extra };
    const access = buildClaims(
      { ...common, type: 'access', exp: accessExp, jti: spec.jtis?.access },
      this.config,
    );
    const refresh = buildClaims(
      { ...common, type: 'refresh', exp: sessionEnd, generation, jti: spec.jtis?.refresh },
      this.config,
    );
    const now = this.nowSeconds();
    return {
      access,
      refresh,
      pair: {
        accessToken: this.sign(access),
        refreshToken: this.sign(refresh),
        tokenType: 'bearer',
        expiresIn: Math.max(0, accessExp - now),
        refreshExpiresIn: Math.max(0, sessionEnd - now),
        sessionId,
      },
    };
  }

  private newSession(
    kind: SessionKind,
    subject: string,
    tokens: { id: string; iat: number; end: number; access?: string; refresh?: string },
    options: IssueOptions,
    claims: ExtraClaims,
  ) {
    return {
      id: tokens.id,
      userId: subject,
      kind,
      // The clock's milliseconds, not the token's whole-second iat: the session cap evicts the
      // oldest first, and logins within one second tied (broken by a random id — pen test).
      createdAt: Math.max(tokens.iat * 1000, this.config.now()),
      expiresAt: tokens.end * 1000,
      userAgent: options.userAgent?.slice(0, 512) ?? null,
      ip: options.ip?.slice(0, 64) ?? null,
      accessJti: tokens.access ?? null,
      refreshJti: tokens.refresh ?? null,
      claims,
    };
  }

  /**
   * Starts a session and issues its access and refresh tokens. The session's absolute lifetime is
   * `refreshTokenExpireDays`. When the user already holds `maxSessionsPerUser` live sessions, the
   * oldest is revoked.
   *
   * @throws `AuthConfigError` for a claim not listed in `extraClaims`.
   */
  async createTokenPair(userId: string | number, options: IssueOptions = {}): Promise<TokenPair> {
    const subject = String(userId);
    const claims = allowedClaims(options.claims, this.config);
    const sessionId = randomUUID();
    const iat = this.nowSeconds();
    const end = iat + this.config.refreshTokenTtlSeconds;
    const { access, refresh, pair } = this.pairFor({
      subject,
      sessionId,
      iat,
      sessionEnd: end,
      generation: 0,
      extra: claims,
    });
    await this.store.createSession(
      this.newSession(
        'login',
        subject,
        { id: sessionId, iat, end, access: access.jti, refresh: refresh.jti },
        options,
        claims,
      ),
      [rowOf(access, 0), rowOf(refresh, 0)],
      { maxSessions: this.config.maxSessionsPerUser, now: this.config.now() },
    );
    return pair;
  }

  /**
   * Issues one token of `type`, with the lifetime of its purpose (`TOKEN_PURPOSES`). With
   * `sessionId`, it joins that live session of the same user (throws {@link RevokedTokenError}
   * otherwise); without, it starts a session of its own that ends when the token does (a login
   * session for access and refresh tokens; a private, unlisted one for single-use purposes).
   * With `address` (the account flows' verify and reset mails), the token carries the SHA-256 of
   * that address as its `adr` claim, so that a use can check the user still has that address.
   */
  async createToken(
    type: TokenType,
    userId: string | number,
    options: IssueOptions & { sessionId?: string; address?: string } = {},
  ): Promise<string> {
    const subject = String(userId);
    const extra = allowedClaims(options.claims, this.config);
    const purpose = TOKEN_PURPOSES[type];
    const iat = this.nowSeconds();
    const exp = iat + purpose.ttlSeconds(this.config);
    if (options.sessionId === undefined) {
      const sessionId = randomUUID();
      const claims = buildClaims(
        {
          type,
          subject,
          sessionId,
          iat,
          exp,
          extra,
          generation: this.genClaim(type, 0),
          address: options.address,
        },
        this.config,
      );
      const kind: SessionKind = purpose.use === 'single-use' ? (type as SessionKind) : 'login';
      await this.store.createSession(
        this.newSession(
          kind,
          subject,
          {
            id: sessionId,
            iat,
            end: exp,
            ...(type === 'access' ? { access: claims.jti } : {}),
            ...(type === 'refresh' ? { refresh: claims.jti } : {}),
          },
          options,
          extra,
        ),
        [rowOf(claims, 0)],
        { maxSessions: this.config.maxSessionsPerUser, now: this.config.now() },
      );
      return this.sign(claims);
    }
    const session = isCanonicalId(options.sessionId)
      ? await this.store.findSession(options.sessionId)
      : null;
    if (session === null || session.userId !== subject) throw new RevokedTokenError();
    const claims = buildClaims(
      {
        type,
        subject,
        sessionId: session.id,
        iat,
        exp,
        extra,
        generation: this.genClaim(type, session.generation),
        address: options.address,
      },
      this.config,
    );
    const row = rowOf(claims, session.generation);
    if (!(await this.store.addTokens(session.id, subject, [row], this.config.now()))) {
      throw new RevokedTokenError();
    }
    return this.sign(claims);
  }

  private genClaim(type: TokenType, generation: number): number | undefined {
    return type === 'refresh' ? generation : undefined;
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
   * Verifies a token statelessly (signature with its purpose's key, algorithm, `exp`, `nbf`,
   * `iat`, `iss`, `aud`, `type`), then with ONE indexed query checks that its row and session
   * are live and bound to its `sub`. A refresh token that was already rotated counts as reuse:
   * its session is revoked (inside the `refreshReuseGraceSeconds` window, the token just
   * rotated is still accepted here, so that a following `refresh` hands back its successor).
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
   * {@link TokenService.verify}: one indexed query (a second one only for a refresh token whose
   * row is gone, to tell an old generation, which is reuse, from an unknown token). With the
   * validation cache on, an access token validated recently costs no query at all.
   */
  async assertStored(claims: TokenClaims): Promise<void> {
    const cache = this.validationCache;
    if (cache === null || claims.type !== 'access') {
      await this.check(claims, await this.store.lookup(claims.jti));
      return;
    }
    if (cache.has(claims)) return;
    const ticket = cache.ticket();
    const row = await this.store.lookup(claims.jti);
    await this.check(claims, row);
    if (row !== null) cache.remember(ticket, claims, row);
  }

  private async check(claims: TokenClaims, row: LiveTokenRow | null): Promise<void> {
    if (claims.type === 'refresh') {
      if (row === null && (await this.isStaleGeneration(claims))) await this.reuse(claims);
      if (row !== null && this.isRotated(claims, row)) {
        if (this.inGrace(row)) return;
        await this.reuse(claims);
      }
    }
    this.assertLive(claims, row);
  }

  private async reuse(claims: TokenClaims): Promise<never> {
    await this.store.revokeSession(claims.sid, this.config.now());
    throw new RefreshTokenReuseError();
  }

  private bound(claims: TokenClaims, row: LiveTokenRow): boolean {
    return row.userId === claims.sub && row.sessionId === claims.sid && row.type === claims.type;
  }

  private isRotated(claims: TokenClaims, row: LiveTokenRow): boolean {
    return row.replacedBy !== null && this.bound(claims, row);
  }

  /** A refresh token of a generation whose rows rotation already deleted. */
  private async isStaleGeneration(claims: TokenClaims): Promise<boolean> {
    if (typeof claims.gen !== 'number') return false;
    const session = await this.store.findSession(claims.sid);
    return session !== null && session.userId === claims.sub && claims.gen < session.generation;
  }

  /** The refresh token rotated last, presented again within the grace window. */
  private inGrace(row: LiveTokenRow): boolean {
    const grace = this.config.refreshReuseGraceSeconds * 1000;
    const now = this.config.now();
    return (
      grace > 0 &&
      row.revokedAt !== null &&
      row.replacedBy === row.sessionRefreshJti &&
      now - row.revokedAt <= grace &&
      row.sessionRevokedAt === null &&
      row.sessionExpiresAt > now
    );
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
    if (row === null || !this.bound(claims, row)) throw new InvalidTokenError();
    if (row.revokedAt !== null || row.sessionRevokedAt !== null) throw new RevokedTokenError();
    const now = this.config.now();
    if (row.expiresAt <= now - this.config.leewaySeconds * 1000 || row.sessionExpiresAt <= now) {
      throw new ExpiredTokenError();
    }
  }

  /**
   * Consumes a single-use token (`verify`, `reset`, `mfa`): verifies it, checks it is live, and
   * marks it used in one conditional statement, so of concurrent calls exactly one succeeds.
   * A used token answers {@link RevokedTokenError}.
   */
  async consumeToken<T extends SingleUseType>(token: string, type: T): Promise<SingleUseClaims<T>> {
    if (TOKEN_PURPOSES[type].use !== 'single-use') {
      throw new TypeError(`consumeToken takes a single-use purpose, not "${type}"`);
    }
    const claims = verifyToken(token, type, this.config) as SingleUseClaims<T>;
    await this.assertStored(claims);
    if (!(await this.store.consume(claims.jti, type, this.config.now()))) {
      throw new RevokedTokenError();
    }
    return claims;
  }

  /**
   * Rotates a refresh token: the presented one dies in the same transaction that records the new
   * pair, and the session moves one generation on (rows two generations old are deleted). The
   * session keeps its absolute end. The claims issued with the session are carried over;
   * `options.claims` overlay them. Presenting an already-rotated refresh token again is reuse:
   * the whole session is revoked (its newest tokens too) and {@link RefreshTokenReuseError} is
   * thrown — except, with `refreshReuseGraceSeconds`, for the token rotated last within that
   * window, which gets the same successor pair back (same `jti`s, re-signed from the stored
   * claims; `options.claims` are not applied to it). Of concurrent refreshes with one token,
   * exactly one rotates; the others count as reuse, or get the same successor within the grace.
   *
   * @throws `TooManyRequestsError` (429) past `refreshRateLimit` refreshes a minute for the session.
   */
  async refresh(
    refreshToken: string,
    options: Pick<IssueOptions, 'claims'> = {},
  ): Promise<TokenPair> {
    const claims = this.verify(refreshToken, 'refresh');
    this.refreshLimit?.hit(claims.sid);
    const fresh = allowedClaims(options.claims, this.config);
    for (let attempt = 0; attempt < ROTATION_ATTEMPTS; attempt++) {
      const row = await this.store.lookup(claims.jti);
      if (row !== null && this.isRotated(claims, row) && this.inGrace(row)) {
        return this.successorOf(claims, row);
      }
      await this.check(claims, row);
      const session = await this.store.findSession(claims.sid);
      if (session === null || session.userId !== claims.sub || session.revokedAt !== null) {
        throw new RevokedTokenError();
      }
      const extra = { ...session.claims, ...fresh };
      const now = this.config.now();
      const generation = session.generation + 1;
      const { access, refresh, pair } = this.pairFor({
        subject: claims.sub,
        sessionId: claims.sid,
        iat: Math.floor(now / 1000),
        sessionEnd: this.sessionEnd(claims, session),
        generation,
        extra,
      });
      const outcome = await this.store.rotate({
        jti: claims.jti,
        sessionId: claims.sid,
        fromGeneration: session.generation,
        tokens: [rowOf(access, generation), rowOf(refresh, generation)],
        refreshJti: refresh.jti,
        accessJti: access.jti,
        claims: extra,
        now,
      });
      if (outcome === 'rotated') return pair;
      // Not rotated, nothing written: look again (now rotated, revoked, or a newer generation).
    }
    throw new RevokedTokenError();
  }

  private sessionEnd(claims: TokenClaims, session: StoredSession): number {
    return Math.min(claims.exp, Math.floor(session.expiresAt / 1000));
  }

  /** The pair the last rotation produced, re-signed from what the store kept: no new rows. */
  private async successorOf(claims: TokenClaims, row: LiveTokenRow): Promise<TokenPair> {
    const session = await this.store.findSession(claims.sid);
    const refreshJti = session?.refreshJti ?? null;
    const accessJti = session?.accessJti ?? null;
    if (
      session === null ||
      session.userId !== claims.sub ||
      session.revokedAt !== null ||
      refreshJti === null ||
      refreshJti !== row.replacedBy ||
      accessJti === null ||
      row.revokedAt === null
    ) {
      return this.reuse(claims);
    }
    return this.pairFor({
      subject: claims.sub,
      sessionId: claims.sid,
      iat: Math.floor(row.revokedAt / 1000),
      sessionEnd: this.sessionEnd(claims, session),
      generation: session.generation,
      extra: session.claims,
      jtis: { access: accessJti, refresh: refreshJti },
    }).pair;
  }

  /** Revokes one token by its raw form (verified first) or by its `jti`. `true` if it was live. */
  async revokeToken(tokenOrJti: string): Promise<boolean> {
    const jti = tokenOrJti.includes('.') ? this.peekJti(tokenOrJti) : tokenOrJti;
    if (!isCanonicalId(jti)) return false;
    return this.store.revokeToken(jti, this.config.now());
  }

  private peekJti(token: string): string {
    for (const type of Object.keys(TOKEN_PURPOSES) as TokenType[]) {
      try {
        return verifyToken(token, type, this.config).jti;
      } catch (error) {
        if (error instanceof ExpiredTokenError) throw error;
      }
    }
    throw new InvalidTokenError();
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

  /**
   * Revokes every session of a user ("log out everywhere"), or every one but `except` ("log out
   * other devices", a password change). Returns how many login sessions were live.
   *
   * @example
   * ```ts
   * await tokens.revokeAllForUser(claims.sub, { except: claims.sid });
   * ```
   */
  revokeAllForUser(userId: string | number, options: { except?: string } = {}): Promise<number> {
    return this.store.revokeUser(String(userId), this.config.now(), options);
  }

  /** A user's live sessions, newest first. */
  async listSessions(userId: string | number): Promise<SessionInfo[]> {
    const sessions = await this.store.listSessions(String(userId), this.config.now());
    return sessions.map((s) => ({
      id: s.id,
      createdAt: new Date(s.createdAt),
      lastUsedAt: new Date(s.lastUsedAt),
      expiresAt: new Date(s.expiresAt),
      userAgent: s.userAgent,
      ip: s.ip,
    }));
  }

  /**
   * Deletes rows whose token or session expired (beyond the leeway), in batches of
   * `purgeBatchSize` rows, each its own short transaction, resting twice as long as a batch took
   * before the next, so that a purge of a million rows holds no lock or pool client for long and
   * leaves the database to the requests two thirds of the time. Schedule it, e.g.
   * hourly, or let `purgeIntervalSeconds` do it. Revoked rows are kept until they expire, so a
   * replayed refresh token is still recognized.
   *
   * @param options - `batchSize` overrides `purgeBatchSize`; `signal` stops the purge between two
   *   batches (what was deleted stays deleted; the counts say how much).
   */
  purgeExpired(options: PurgeOptions = {}): Promise<PurgeResult> {
    return this.store.purgeExpired(this.config.now() - this.config.leewaySeconds * 1000, {
      batchSize: options.batchSize ?? this.config.purgeBatchSize,
      signal: options.signal,
    });
  }
}
