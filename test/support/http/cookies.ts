import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';

/** One `Set-Cookie` line, parsed. Attribute names are lower-cased; flags map to `true`. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Map<string, string | true>;
  /** The whole line as sent. */
  line: string;
}

/** The `Set-Cookie` lines of a response, parsed and keyed by cookie name. */
export function setCookies(res: request.Response): Map<string, SetCookie> {
  const raw = res.headers['set-cookie'] as string[] | string | undefined;
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const result = new Map<string, SetCookie>();
  for (const line of lines) {
    const [pair = '', ...attrs] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const attributes = new Map<string, string | true>();
    for (const attr of attrs) {
      const i = attr.indexOf('=');
      if (i === -1) attributes.set(attr.toLowerCase(), true);
      else attributes.set(attr.slice(0, i).toLowerCase(), attr.slice(i + 1));
    }
    const name = pair.slice(0, eq);
    result.set(name, { name, value: pair.slice(eq + 1), attributes, line });
  }
  return result;
}

/** The `Set-Cookie` lines of a response as sent, keyed by cookie name. */
export function setCookieLines(res: request.Response): Map<string, string> {
  return new Map([...setCookies(res)].map(([name, cookie]) => [name, cookie.line]));
}

/** A `Cookie` request header from name/value pairs (values sent as given). */
export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

/** What a browser holds after `POST /auth/cookie/login`. */
export interface BrowserSession {
  access: string;
  refresh: string;
  csrf: string;
}

/** A cookie login's session and the response that set it. */
export interface CookieSession extends BrowserSession {
  res: request.Response;
}

/** Every cookie of the session, the way a browser on the app's own origin would send them. */
export function sessionCookies(s: BrowserSession): string {
  return cookieHeader({ access_token: s.access, refresh_token: s.refresh, csrf_token: s.csrf });
}

/**
 * The parsed cookies of a cookie login's response; asserts they are exactly the access,
 * refresh and CSRF cookies.
 */
export function loginCookies(res: request.Response): Map<string, SetCookie> {
  const cookies = setCookies(res);
  expect([...cookies.keys()].sort()).toEqual(['access_token', 'csrf_token', 'refresh_token']);
  return cookies;
}

/** The value of one cookie of `cookies`; throws if it is absent. */
export function cookieValue(cookies: Map<string, SetCookie>, name: string): string {
  const cookie = cookies.get(name);
  if (cookie === undefined) throw new Error(`no ${name} cookie`);
  return cookie.value;
}

/**
 * `POST /auth/cookie/login` (with this `Host` header when given); asserts 200 and exactly the
 * three cookies, and returns their values with the response.
 */
export async function cookieLogin(
  app: Express,
  email: string,
  password: string,
  host?: string,
): Promise<CookieSession> {
  let req = request(app).post('/auth/cookie/login');
  if (host !== undefined) req = req.set('Host', host);
  const res = await req.send({ email, password });
  expect(res.status, res.text).toBe(200);
  const cookies = loginCookies(res);
  return {
    access: cookieValue(cookies, 'access_token'),
    refresh: cookieValue(cookies, 'refresh_token'),
    csrf: cookieValue(cookies, 'csrf_token'),
    res,
  };
}

/** `POST /auth/cookie/login`; asserts 200 and exactly the three cookies, returns their values. */
export async function browserLogin(
  app: Express,
  email: string,
  password: string,
): Promise<BrowserSession> {
  const { access, refresh, csrf } = await cookieLogin(app, email, password);
  return { access, refresh, csrf };
}
