import express, { type Request, type Response } from 'express';
import {
  Body,
  Get,
  HttpCode,
  JsonController,
  OnUndefined,
  Post,
  Req,
  Res,
  UseBefore,
} from 'routing-controllers';
import { Service } from 'typedi';
import {
  InactiveUserError,
  InvalidCredentialsError,
  InvalidRequestError,
} from '../errors/http-errors';
import { clearAuthCookies, setAuthCookies } from '../http/cookies';
import { AccessToken } from '../http/decorators/access-token';
import { presentedRefreshToken } from '../http/decorators/refresh-token';
import { getRuntime, type AuthRuntime } from '../http/runtime';
import type { AccessClaims } from '../tokens/claims';
import type { TokenPair } from '../tokens/token-service';
import { readCredentials } from './credentials';
import { userCall } from '../http/user-calls';
import type { LoginCredentials } from '../users/base-user-authentication';

/** Body size accepted by the auth routes: credentials and tokens are small. */
const BODY = { required: false, options: { limit: '16kb' } } as const;
const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

/** A live session as `GET /auth/sessions` lists it. */
export interface SessionView {
  /** Session id. */
  id: string;
  /** ISO time the session started. */
  created_at: string;
  /** ISO time it last got tokens (login or refresh). */
  last_used_at: string;
  /** ISO time it ends at the latest. */
  expires_at: string;
  /** User-Agent given at login. */
  user_agent: string | null;
  /** Client IP given at login. */
  ip: string | null;
  /** Whether this is the caller's own session. */
  current: boolean;
}

/** A token pair on the OAuth 2.0 wire (RFC 6749 §5.1): what login and refresh answer. */
export interface TokenResponse {
  /** The access token (JWT). */
  access_token: string;
  /** The refresh token (JWT). */
  refresh_token: string;
  /** Always `"bearer"`. */
  token_type: 'bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
  /** Seconds until the refresh token (and the session) expires. */
  refresh_expires_in: number;
}

/** The wire form of a {@link TokenPair}: snake_case, and no session id. */
export function toTokenResponse(pair: TokenPair): TokenResponse {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    token_type: pair.tokenType,
    expires_in: pair.expiresIn,
    refresh_expires_in: pair.refreshExpiresIn,
  };
}

/** What `POST /auth/cookie/login` and `/auth/cookie/refresh` answer: no token in the body. */
export interface CookieLoginView {
  /** Seconds until the access cookie expires. */
  expires_in: number;
  /** Seconds until the refresh cookie (and the session) expires. */
  refresh_expires_in: number;
  /** The CSRF token, also set as a readable cookie: echo it in the CSRF header. */
  csrf_token: string;
}

function noStore(res: Response): void {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}

async function checkCredentials(
  runtime: AuthRuntime,
  credentials: LoginCredentials,
): Promise<unknown> {
  const { users } = runtime;
  const user = await userCall(() => users.authenticate(credentials));
  // Unknown user, wrong password and inactive account: one identical answer (null).
  if (user === null || !(await userCall(() => users.isActive(user)))) return null;
  return user;
}

async function login(runtime: AuthRuntime, body: unknown, req: Request): Promise<TokenPair> {
  const credentials = readCredentials(body);
  const { users, tokens, throttle } = runtime;
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  const user =
    throttle === null
      ? await checkCredentials(runtime, credentials)
      : await throttle.attempt(credentials.username, ip, () =>
          checkCredentials(runtime, credentials),
        );
  if (user === null) throw new InvalidCredentialsError();
  return tokens.createTokenPair(users.getUserId(user), {
    claims: await userCall(() => users.getExtraClaims(user)),
    userAgent: req.get('user-agent') ?? null,
    ip: req.ip ?? null,
  });
}

async function refresh(runtime: AuthRuntime, req: Request): Promise<TokenPair> {
  const { token } = presentedRefreshToken(req, runtime);
  const { users, tokens } = runtime;
  const claims = tokens.verify(token, 'refresh');
  const user = await userCall(() => users.getUserById(claims.sub));
  if (user === null || !(await userCall(() => users.isActive(user)))) {
    await tokens.revokeSession(claims.sid, claims.sub);
    throw new InactiveUserError();
  }
  return tokens.refresh(token, { claims: await userCall(() => users.getExtraClaims(user)) });
}

/**
 * Ready-made auth routes under `/auth`: login (JSON), OAuth2 password form, refresh, logout,
 * logout everywhere, the caller's sessions, and the cookie variants. Mount it in
 * `useExpressServer({ controllers: [AuthController, ...] })`. Registration is yours to write:
 * it depends on your user model.
 *
 * Every response carrying tokens sends `Cache-Control: no-store`.
 */
@JsonController('/auth')
@Service()
export class AuthController {
  /** `POST /auth/login` — JSON `{ email | username, password }` → a token pair. */
  @Post('/login')
  @HttpCode(200)
  async login(
    @Body(BODY) body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<TokenResponse> {
    noStore(res);
    return toTokenResponse(await login(getRuntime(), body, req));
  }

  /** `POST /auth/token` — OAuth2 password grant (form `username`, `password`) → a token pair. */
  @Post('/token')
  @HttpCode(200)
  @UseBefore(form)
  async token(@Req() req: Request, @Res() res: Response): Promise<TokenResponse> {
    noStore(res);
    if (!req.is('application/x-www-form-urlencoded')) {
      throw new InvalidRequestError(
        'Send the OAuth2 password grant as application/x-www-form-urlencoded.',
      );
    }
    const body = req.body as Record<string, unknown>;
    if (body.grant_type !== undefined && body.grant_type !== 'password') {
      throw new InvalidRequestError('grant_type must be "password".');
    }
    const { username, password } = body;
    return toTokenResponse(await login(getRuntime(), { username, password }, req));
  }

  /** `POST /auth/refresh` — refresh token as Bearer or JSON `{ refresh_token }` → a new pair; the old one dies. */
  @Post('/refresh')
  @HttpCode(200)
  async refresh(
    @Body(BODY) _body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<TokenResponse> {
    noStore(res);
    return toTokenResponse(await refresh(getRuntime(), req));
  }

  /** `POST /auth/logout` — kills both tokens of the caller's session (and clears auth cookies) → 204. */
  @Post('/logout')
  @OnUndefined(204)
  async logout(@AccessToken() claims: AccessClaims, @Res() res: Response): Promise<undefined> {
    const runtime = getRuntime();
    await runtime.tokens.revokeSession(claims.sid, claims.sub);
    if (runtime.config.tokenLocation.includes('cookie')) clearAuthCookies(res, runtime.config);
    return undefined;
  }

  /** `POST /auth/logout-all` — kills every session of the caller → 204. */
  @Post('/logout-all')
  @OnUndefined(204)
  async logoutAll(@AccessToken() claims: AccessClaims, @Res() res: Response): Promise<undefined> {
    const runtime = getRuntime();
    await runtime.tokens.revokeAllForUser(claims.sub);
    if (runtime.config.tokenLocation.includes('cookie')) clearAuthCookies(res, runtime.config);
    return undefined;
  }

  /** `GET /auth/sessions` — the caller's live sessions, newest first. */
  @Get('/sessions')
  async sessions(
    @AccessToken() claims: AccessClaims,
    @Res() res: Response,
  ): Promise<SessionView[]> {
    noStore(res);
    const sessions = await getRuntime().tokens.listSessions(claims.sub);
    return sessions.map((s) => ({
      id: s.id,
      created_at: s.createdAt.toISOString(),
      last_used_at: s.lastUsedAt.toISOString(),
      expires_at: s.expiresAt.toISOString(),
      user_agent: s.userAgent,
      ip: s.ip,
      current: s.id === claims.sid,
    }));
  }

  /** `POST /auth/cookie/login` — like `/auth/login`, but the tokens go to HttpOnly cookies. */
  @Post('/cookie/login')
  @HttpCode(200)
  async cookieLogin(
    @Body(BODY) body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<CookieLoginView> {
    noStore(res);
    const runtime = getRuntime();
    const pair = await login(runtime, body, req);
    return this.toCookies(runtime, pair, res);
  }

  /** `POST /auth/cookie/refresh` — rotates the refresh cookie (CSRF-checked) and sets new cookies. */
  @Post('/cookie/refresh')
  @HttpCode(200)
  async cookieRefresh(
    @Body(BODY) _body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<CookieLoginView> {
    noStore(res);
    const runtime = getRuntime();
    return this.toCookies(runtime, await refresh(runtime, req), res);
  }

  private toCookies(runtime: AuthRuntime, pair: TokenPair, res: Response): CookieLoginView {
    const csrf = setAuthCookies(res, pair, runtime.config);
    return {
      expires_in: pair.expiresIn,
      refresh_expires_in: pair.refreshExpiresIn,
      csrf_token: csrf,
    };
  }
}
