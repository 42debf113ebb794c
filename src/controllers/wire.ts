import type { Request, Response } from 'express';
import type { ClientInfo } from '../flows/deps';
import type { CallerSession } from '../flows/sessions';
import type { TokenPair } from '../tokens/token-service';

/** A token pair on the OAuth 2.0 wire (RFC 6749 §5.1): the only snake_case body of the library. */
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

/**
 * A {@link TokenPair} as the OAuth wire spells it.
 *
 * @example
 * ```ts
 * return toTokenResponse(await auth.flows.login(body, clientOf(req)));
 * ```
 */
export function toTokenResponse(pair: TokenPair): TokenResponse {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    token_type: pair.tokenType,
    expires_in: pair.expiresIn,
    refresh_expires_in: pair.refreshExpiresIn,
  };
}

/** A live session as `GET /auth/sessions` lists it. */
export interface SessionView {
  /** Session id. */
  id: string;
  /** ISO time the session started. */
  createdAt: string;
  /** ISO time it last got tokens (login or refresh). */
  lastUsedAt: string;
  /** ISO time it ends at the latest. */
  expiresAt: string;
  /** User-Agent given at login. */
  userAgent: string | null;
  /** Client IP given at login. */
  ip: string | null;
  /** Whether this is the caller's own session. */
  current: boolean;
}

/** @internal A session for the JSON wire. */
export function toSessionView(session: CallerSession): SessionView {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.current,
  };
}

/** What `POST /auth/cookie/login` and `/auth/cookie/refresh` answer: no token in the body. */
export interface CookieLoginView {
  /** Seconds until the access cookie expires. */
  expiresIn: number;
  /** Seconds until the refresh cookie (and the session) expires. */
  refreshExpiresIn: number;
  /** The session's CSRF token, also set as a readable cookie: echo it in the CSRF header. */
  csrfToken: string;
}

/**
 * Where a request comes from, for the session list and the throttle: `req.ip` (set Express's
 * `trust proxy` behind a proxy) and the User-Agent.
 */
export function clientOf(req: Request): ClientInfo {
  return {
    ip: req.ip ?? req.socket.remoteAddress ?? null,
    userAgent: req.get('user-agent') ?? null,
  };
}

/**
 * Marks a response that carries tokens as not cacheable (RFC 6749 §5.1): `Cache-Control:
 * no-store` and `Pragma: no-cache`, as the ready-made routes send. Call it in your own login
 * routes.
 *
 * @example
 * ```ts
 * noStore(res);
 * return toTokenResponse(await authFor(req).flows.login(body, clientOf(req)));
 * ```
 */
export function noStore(res: Response): void {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}
