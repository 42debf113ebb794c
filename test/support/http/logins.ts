import type { Server } from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import { expect } from 'vitest';
import { claimsOf } from '../forge';

/** The token pair body of `/auth/login`, `/auth/token` and `/auth/refresh`. */
export interface PairBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  refresh_expires_in: number;
}

/** What supertest can send a request to: an app or a listening server. */
export type Target = Express | Server;

/** A JWT's shape: three base64url segments. */
export const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** `POST /auth/login` as JSON (with this `User-Agent` when given); asserts 200, returns the pair. */
export async function loginPair(
  app: Target,
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

/**
 * Asserts a token-pair response: 200, `Cache-Control: no-store`, and exactly the pair body with
 * these lifetimes in seconds (by default the library's: 15 minutes and 7 days, a whole refresh
 * lifetime ahead as under a clock that has not moved). Returns the pair.
 */
export function expectPair(
  res: request.Response,
  expiresIn = 15 * 60,
  refreshExpiresIn = 7 * 24 * 3600,
): PairBody {
  expect(res.status, res.text).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body).toEqual({
    access_token: expect.stringMatching(JWT_SHAPE) as string,
    refresh_token: expect.stringMatching(JWT_SHAPE) as string,
    token_type: 'bearer',
    expires_in: expiresIn,
    refresh_expires_in: refreshExpiresIn,
  });
  return res.body as PairBody;
}

/** An `Authorization` header value for a token. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** `GET /t/me` (the test app's current-user route) with this bearer token. */
export function me(app: Target, token: string): request.Test {
  return request(app).get('/t/me').set('Authorization', bearer(token));
}

/** `POST /auth/refresh` with the refresh token as a bearer token. */
export function refreshByBearer(app: Target, refresh: string): request.Test {
  return request(app).post('/auth/refresh').set('Authorization', bearer(refresh));
}

/** The `sid` claim of a JWT (read only, to match sessions; the server never trusts this). */
export function sidOf(token: string): string {
  return claimsOf(token).payload.sid as string;
}

/** Sets each header of `headers` whose value is given (an `undefined` one is left unsent). */
export function withHeaders(
  req: request.Test,
  headers: Readonly<Record<string, string | undefined>>,
): request.Test {
  let result = req;
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result = result.set(name, value);
  }
  return result;
}
