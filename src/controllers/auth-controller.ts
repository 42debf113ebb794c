import express, { type Request, type Response } from 'express';
import {
  Body,
  Delete,
  Get,
  HttpCode,
  JsonController,
  OnUndefined,
  Param,
  Post,
  Req,
  Res,
  UseBefore,
} from 'routing-controllers';
import { Service } from 'typedi';
import { AuthError } from '../errors/auth-error';
import { CsrfError, InvalidRequestError, MissingCredentialsError } from '../errors/http-errors';
import { requestIdentity, presentedRefresh } from '../http/authenticate';
import { runtimeOf } from '../http/binding';
import { clearAuthCookies, setAuthCookies } from '../http/cookies';
import { foreignRequest } from '../http/csrf';
import { AccessToken } from '../http/decorators/access-token';
import type { AuthRuntime } from '../setup/runtime';
import type { AccessClaims, RefreshClaims, TokenClaims } from '../tokens/claims';
import type { TokenPair } from '../tokens/token-service';
import {
  clientOf,
  noStore,
  toSessionView,
  toTokenResponse,
  type CookieLoginView,
  type SessionView,
  type TokenResponse,
} from './wire';

/** Body size accepted by the auth routes: credentials and tokens are small. */
const BODY = { required: false, options: { limit: '16kb' } } as const;
const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

function refreshOf(runtime: AuthRuntime, req: Request): Promise<TokenPair> {
  const found = presentedRefresh(req, runtime);
  if (found === null) throw new MissingCredentialsError();
  return runtime.flows.refresh(found.presented.token);
}

/** The cookie routes serve only a setup that reads cookies. */
function assertCookieTransport(runtime: AuthRuntime): void {
  if (!runtime.config.tokenLocation.includes('cookie')) {
    throw new InvalidRequestError(
      'Cookie login is off here: tokenLocation does not include "cookie". Use POST /auth/login.',
    );
  }
}

function toCookies(runtime: AuthRuntime, pair: TokenPair, res: Response): CookieLoginView {
  const csrfToken = setAuthCookies(res, pair, runtime.config);
  return { expiresIn: pair.expiresIn, refreshExpiresIn: pair.refreshExpiresIn, csrfToken };
}

function clearCookies(runtime: AuthRuntime, res: Response): void {
  if (runtime.config.tokenLocation.includes('cookie')) clearAuthCookies(res, runtime.config);
}

/**
 * The claims whose session a logout ends: the access token's, or — when no usable access token
 * came (an expired access cookie is the common case) — those of the refresh token presented in the
 * refresh cookie (CSRF-checked) or the body, checked against the store.
 */
async function sessionToEnd(runtime: AuthRuntime, req: Request): Promise<TokenClaims> {
  try {
    const context = await requestIdentity(req, runtime);
    if (context !== null) {
      await runtime.flows.authorize(context);
      return context.claims;
    }
  } catch (error) {
    // Only a token problem (401) with a refresh token elsewhere than the header falls back.
    if (!(error instanceof AuthError && error.status === 401)) throw error;
    const found = fallbackRefresh(runtime, req);
    if (found === null) throw error;
    return found;
  }
  const found = presentedRefresh(req, runtime);
  if (found === null || found.presented.source === 'header') throw new MissingCredentialsError();
  await runtime.tokens.assertStored(found.claims);
  return found.claims;
}

function fallbackRefresh(runtime: AuthRuntime, req: Request): RefreshClaims | null {
  let found: ReturnType<typeof presentedRefresh>;
  try {
    found = presentedRefresh(req, runtime);
  } catch (error) {
    if (error instanceof CsrfError) throw error; // a refused refresh cookie is a CSRF refusal
    return null;
  }
  return found === null || found.presented.source === 'header' ? null : found.claims;
}

/**
 * Ready-made auth routes under `/auth`: login (JSON), OAuth2 password form, refresh, logout,
 * logout everywhere, the caller's sessions (list, revoke one), and the cookie variants. Mount it
 * in `useExpressServer({ ...auth.serverOptions, controllers: [AuthController, ...] })`. Each
 * route only translates HTTP to a call of the setup's flows (`auth.flows`), which controllers of
 * your own can call too. Every response carrying tokens sends `Cache-Control: no-store`.
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
    return toTokenResponse(await runtimeOf(req).flows.login(body, clientOf(req)));
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
    return toTokenResponse(await runtimeOf(req).flows.login({ username, password }, clientOf(req)));
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
    return toTokenResponse(await refreshOf(runtimeOf(req), req));
  }

  /**
   * `POST /auth/logout` — ends the caller's session → 204. The access token says which; without
   * a usable one, the refresh token (cookie: CSRF-checked; or JSON `refresh_token`) does, so a
   * browser whose access cookie expired can still sign out. The auth cookies are cleared on every
   * answer, failures included — except a CSRF refusal, which changes nothing.
   */
  @Post('/logout')
  @OnUndefined(204)
  async logout(
    @Body(BODY) _body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<undefined> {
    const runtime = runtimeOf(req);
    // A request from another site (a form posted by a foreign page) must not even clear the
    // browser's cookies, whatever else it carries; a Bearer logout from it still works.
    const mayClear = foreignRequest(req, runtime.config) === null;
    try {
      await runtime.flows.logout(await sessionToEnd(runtime, req));
    } catch (error) {
      if (mayClear && !(error instanceof CsrfError)) clearCookies(runtime, res);
      throw error;
    }
    if (mayClear) clearCookies(runtime, res);
    return undefined;
  }

  /** `POST /auth/logout-all` — kills every session of the caller → 204. */
  @Post('/logout-all')
  @OnUndefined(204)
  async logoutAll(
    @AccessToken() claims: AccessClaims,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<undefined> {
    const runtime = runtimeOf(req);
    await runtime.flows.logoutAll(claims);
    clearCookies(runtime, res);
    return undefined;
  }

  /** `GET /auth/sessions` — the caller's live sessions, newest first. */
  @Get('/sessions')
  async sessions(
    @AccessToken() claims: AccessClaims,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<SessionView[]> {
    noStore(res);
    const sessions = await runtimeOf(req).flows.sessions(claims);
    return sessions.map(toSessionView);
  }

  /** `DELETE /auth/sessions/:id` — revokes one of the caller's own sessions → 204; any other id → 404. */
  @Delete('/sessions/:id')
  @OnUndefined(204)
  async revokeSession(
    @AccessToken() claims: AccessClaims,
    @Param('id') id: string,
    @Req() req: Request,
  ): Promise<undefined> {
    await runtimeOf(req).flows.revokeSession(claims, id);
    return undefined;
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
    const runtime = runtimeOf(req);
    assertCookieTransport(runtime);
    return toCookies(runtime, await runtime.flows.login(body, clientOf(req)), res);
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
    const runtime = runtimeOf(req);
    assertCookieTransport(runtime);
    return toCookies(runtime, await refreshOf(runtime, req), res);
  }
}
