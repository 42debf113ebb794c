import { expect } from 'vitest';

/** What the coded-error checks need of a response: supertest's `Response` and a raw reply fit. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: unknown;
}

/** The `WWW-Authenticate` each code is sent with (absent for codes not listed). */
export const CHALLENGES: Readonly<Record<string, string>> = {
  missing_credentials: 'Bearer',
  invalid_credentials: 'Bearer',
  invalid_request: 'Bearer error="invalid_request"',
  invalid_token: 'Bearer error="invalid_token"',
  token_expired: 'Bearer error="invalid_token"',
  token_revoked: 'Bearer error="invalid_token"',
  wrong_token_type: 'Bearer error="invalid_token"',
  refresh_token_reused: 'Bearer error="invalid_token"',
  user_inactive: 'Bearer error="invalid_token"',
  insufficient_scope: 'Bearer error="insufficient_scope"',
};

/** `expect.any(String)`, typed, for object matchers. */
export const anyString = (): string => expect.any(String) as string;

/** `expect.any(Number)`, typed, for object matchers. */
export const anyNumber = (): number => expect.any(Number) as number;

/** Asserts a coded error body: exactly `{ name, code, message }`, with this code. */
export function expectCoded(body: unknown, code: string): void {
  expect(body).toEqual({ name: anyString(), code, message: anyString() });
}

/**
 * Asserts a coded error: exact status, a body of exactly `{ name, code, message }` with this
 * code, the `WWW-Authenticate` value (or its absence), and no stack trace.
 */
export function expectError(res: Reply, status: number, code: string, challenge?: string): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: { name: anyString(), code, message: anyString() },
  });
  expect(res.headers['www-authenticate']).toBe(challenge);
  expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
}
