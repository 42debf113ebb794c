import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, expect } from 'vitest';
import type { AuthOptions } from '../../src';
import { buildTestApp, type TestApp } from '../support/app';

/** Builds a test app (SQLite) for the enclosing `describe` and closes it after. */
export function useTestApp(options?: AuthOptions): () => TestApp {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await buildTestApp('sqlite', options);
  });
  afterAll(async () => {
    await app?.close();
    app = undefined;
  });
  return () => {
    if (app === undefined) throw new Error('the test app is not built yet');
    return app;
  };
}

/**
 * Asserts a coded error: exact status, a body of exactly `{ name, code, message }` with this
 * code, the `WWW-Authenticate` value (or its absence), and no stack trace.
 */
export function expectError(
  res: request.Response,
  status: number,
  code: string,
  challenge?: string,
): void {
  expect({ status: res.status, body: res.body as unknown }).toEqual({
    status,
    body: { name: expect.any(String) as string, code, message: expect.any(String) as string },
  });
  expect(res.headers['www-authenticate']).toBe(challenge);
  expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
}

/** One `Set-Cookie` line, parsed. Attribute names are lower-cased; flags map to `true`. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Map<string, string | true>;
}

/** The `Set-Cookie` lines of a response, keyed by cookie name. */
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
    result.set(pair.slice(0, eq), {
      name: pair.slice(0, eq),
      value: pair.slice(eq + 1),
      attributes,
    });
  }
  return result;
}

/** A `Cookie` request header from name/value pairs (values sent as given). */
export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

/** The token pair body of `/auth/login`, `/auth/token` and `/auth/refresh`. */
export interface PairBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  refresh_expires_in: number;
}

/** `POST /auth/login` as JSON; asserts 200 and returns the pair. */
export async function loginPair(
  app: Express,
  email: string,
  password: string,
  userAgent?: string,
): Promise<PairBody> {
  let req = request(app).post('/auth/login');
  if (userAgent !== undefined) req = req.set('User-Agent', userAgent);
  const res = await req.send({ email, password });
  expect(res.status, res.text).toBe(200);
  return res.body as PairBody;
}

/** The `sid` claim of a JWT (read only, to match sessions; the server never trusts this). */
export function sidOf(token: string): string {
  const payload = token.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sid: string }).sid;
}

/** What a browser holds after `POST /auth/cookie/login`. */
export interface BrowserSession {
  access: string;
  refresh: string;
  csrf: string;
}

/** `POST /auth/cookie/login`; asserts 200 and returns the three cookie values. */
export async function browserLogin(
  app: Express,
  email: string,
  password: string,
): Promise<BrowserSession> {
  const res = await request(app).post('/auth/cookie/login').send({ email, password });
  expect(res.status, res.text).toBe(200);
  const cookies = setCookies(res);
  const value = (name: string): string => {
    const cookie = cookies.get(name);
    if (cookie === undefined) throw new Error(`no ${name} cookie`);
    return cookie.value;
  };
  return {
    access: value('access_token'),
    refresh: value('refresh_token'),
    csrf: value('csrf_token'),
  };
}
