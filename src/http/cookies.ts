import type { CookieOptions as ExpressCookieOptions, Response } from 'express';
import type { ResolvedAuthConfig } from '../config/resolved';
import type { TokenPair } from '../tokens/token-service';
import { newCsrfToken } from './csrf';

/** The part of the configuration the cookie helpers read. */
export type CookieConfig = Pick<ResolvedAuthConfig, 'cookies'>;

function base(config: CookieConfig, path: string, maxAgeSeconds: number): ExpressCookieOptions {
  const { secure, sameSite, domain } = config.cookies;
  return {
    httpOnly: true,
    secure,
    sameSite,
    path,
    maxAge: maxAgeSeconds * 1000,
    ...(domain === undefined ? {} : { domain }),
  };
}

/**
 * Sets the auth cookies for a token pair: the access token (HttpOnly, `Path` = `cookies.path`,
 * `Max-Age` = its lifetime), the refresh token (HttpOnly, path-scoped to `cookies.refreshPath`),
 * and a readable CSRF cookie whose value must come back in the CSRF header on unsafe requests.
 * Returns the CSRF token.
 */
export function setAuthCookies(res: Response, pair: TokenPair, config: CookieConfig): string {
  const { cookies } = config;
  const csrf = newCsrfToken();
  res.cookie(cookies.accessTokenName, pair.accessToken, base(config, cookies.path, pair.expiresIn));
  res.cookie(
    cookies.refreshTokenName,
    pair.refreshToken,
    base(config, cookies.refreshPath, pair.refreshExpiresIn),
  );
  res.cookie(cookies.csrfName, csrf, {
    ...base(config, cookies.path, pair.refreshExpiresIn),
    httpOnly: false,
  });
  return csrf;
}

/** Clears the three auth cookies (same names, paths and attributes, expired). */
export function clearAuthCookies(res: Response, config: CookieConfig): void {
  const { cookies } = config;
  const gone = (path: string, httpOnly: boolean): ExpressCookieOptions => ({
    ...base(config, path, 0),
    httpOnly,
    maxAge: undefined,
    expires: new Date(0),
  });
  res.cookie(cookies.accessTokenName, '', gone(cookies.path, true));
  res.cookie(cookies.refreshTokenName, '', gone(cookies.refreshPath, true));
  res.cookie(cookies.csrfName, '', gone(cookies.path, false));
}
