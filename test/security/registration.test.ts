import type { Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../example/user.entity';
import {
  close,
  expectAccepted,
  expectNoLeak,
  expectRefused,
  listen,
  securityTally,
} from '../support/http';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';
// Runs against the example app (example/app.ts, `createApp`) on SQLite, as a user would deploy it.
const tally = securityTally('registration');
let h: ExampleHarness;
let server: Server;
let serial = 0;

beforeAll(async () => {
  h = await startExample('sqlite');
  server = await listen(h.app);
});
afterAll(async () => {
  await close(server);
  await stopExample(h);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

/** A fresh address per call, so cases never collide with each other. */
const email = (): string => `user${++serial}@example.com`;
const register = (body: unknown) =>
  request(server)
    .post('/auth/register')
    .send(body as object);
const raw = (text: string) =>
  request(server).post('/auth/register').set('Content-Type', 'application/json').send(text);
const login = (address: string, password: string) =>
  request(server).post('/auth/login').send({ email: address, password });

const bytes = (value: string): number => Buffer.byteLength(value, 'utf8');
const ascii = (n: number): string => 'p'.repeat(n);

type Row = [string, number, string, () => request.Test];

describe('POST /auth/register: refused', () => {
  const rows: Row[] = [
    [
      'password of 73 ASCII bytes',
      400,
      'password_policy',
      () => register({ email: email(), password: ascii(73) }),
    ],
    [
      '71 ASCII + "é" = 73 bytes',
      400,
      'password_policy',
      () => register({ email: email(), password: `${ascii(71)}é` }),
    ],
    [
      '70 ASCII + "€" = 73 bytes',
      400,
      'password_policy',
      () => register({ email: email(), password: `${ascii(70)}€` }),
    ],
    [
      '69 ASCII + an emoji = 73 bytes',
      400,
      'password_policy',
      () => register({ email: email(), password: `${ascii(69)}😀` }),
    ],
    [
      '37 × "é": 37 characters, 74 bytes',
      400,
      'password_policy',
      () => register({ email: email(), password: 'é'.repeat(37) }),
    ],
    [
      'a NUL byte in the middle',
      400,
      'password_policy',
      () => register({ email: email(), password: 'long-enough\u0000-password' }),
    ],
    [
      'a NUL byte at the end',
      400,
      'password_policy',
      () => register({ email: email(), password: 'long-enough-password\u0000' }),
    ],
    [
      // The library's account routes take bodies of at most 16 kB: refused before any parsing.
      'a 20 000-character password',
      413,
      'payload_too_large',
      () => register({ email: email(), password: ascii(20_000) }),
    ],
    [
      'a 100-character password (over bcrypt 72 bytes)',
      400,
      'password_policy',
      () => register({ email: email(), password: ascii(100) }),
    ],
    [
      'email a number',
      400,
      'validation_failed',
      () => register({ email: 12345, password: 'long-enough-1' }),
    ],
    [
      'email {"$ne": null}',
      400,
      'validation_failed',
      () => register({ email: { $ne: null }, password: 'long-enough-1' }),
    ],
    [
      'email an array',
      400,
      'validation_failed',
      () => register({ email: [email()], password: 'long-enough-1' }),
    ],
    [
      'email null',
      400,
      'validation_failed',
      () => register({ email: null, password: 'long-enough-1' }),
    ],
    [
      'email true',
      400,
      'validation_failed',
      () => register({ email: true, password: 'long-enough-1' }),
    ],
    [
      'email with a NUL byte',
      400,
      'validation_failed',
      () => register({ email: `a\u0000${email()}`, password: 'long-enough-1' }),
    ],
    [
      'email over 320 characters',
      400,
      'validation_failed',
      () =>
        register({
          email: `${'a'.repeat(64)}@${'b'.repeat(250)}.example.com`,
          password: 'long-enough-1',
        }),
    ],
    [
      'password a number',
      400,
      'validation_failed',
      () => register({ email: email(), password: 123456789 }),
    ],
    [
      'password {"$ne": null}',
      400,
      'validation_failed',
      () => register({ email: email(), password: { $ne: null } }),
    ],
    [
      'password an array',
      400,
      'validation_failed',
      () => register({ email: email(), password: ['long-enough-1'] }),
    ],
    ['password null', 400, 'validation_failed', () => register({ email: email(), password: null })],
    ['password true', 400, 'validation_failed', () => register({ email: email(), password: true })],
    [
      'a JSON array body',
      400,
      'validation_failed',
      () => register([{ email: email(), password: 'long-enough-1' }]),
    ],
    [
      'a duplicate email',
      409,
      'email_taken',
      () => register({ email: 'alice@example.com', password: 'another-password-1' }),
    ],
    [
      'a duplicate email, other case and spaces',
      409,
      'email_taken',
      () => register({ email: '  ALICE@Example.COM ', password: 'another-password-1' }),
    ],
  ];

  it.each(rows)('%s → %i %s', async (_name, status, code, send) => {
    expectRefused(tally, await send(), status, code);
  });

  it.each([
    ['a JSON string', () => raw('"alice@example.com"'), 400, 'invalid_request'],
    ['truncated JSON', () => raw('{"email":"x@example.com",'), 400, 'invalid_request'],
    [
      'a 200 kB body',
      () => register({ email: email(), password: 'long-enough-1', pad: 'x'.repeat(200 * 1024) }),
      413,
      'payload_too_large',
    ],
  ] as const)('%s → body-parser refusal', async (_name, send, status, code) => {
    expectRefused(tally, await send(), status, code, { challenge: undefined });
  });
});

describe('POST /auth/register: the 72-byte boundary is accepted, and never truncated', () => {
  it.each([
    ['72 ASCII bytes', ascii(72)],
    ['70 ASCII + "é"', `${ascii(70)}é`],
    ['69 ASCII + "€"', `${ascii(69)}€`],
    ['68 ASCII + an emoji', `${ascii(68)}😀`],
    ['36 × "é"', 'é'.repeat(36)],
  ])('%s (72 bytes) → 201, then logs in with it and not with a prefix', async (_name, password) => {
    expect(bytes(password)).toBe(72);
    const address = email();
    const res = await register({ email: address, password });
    expectAccepted(tally, res, 201);
    expectNoLeak(res, [password]);
    expectAccepted(tally, await login(address, password));
    // One whole character less (cutting one UTF-16 unit would split the emoji in two).
    const prefix = password.slice(0, password.endsWith('😀') ? -2 : -1);
    expectRefused(tally, await login(address, prefix), 401, 'invalid_credentials');
    expectRefused(tally, await login(address, `${password}x`), 400, 'password_policy');
    // Half an emoji is not well-formed text: refused by the policy, never hashed as U+FFFD.
    if (password.endsWith('😀')) {
      expectRefused(tally, await login(address, password.slice(0, -1)), 400, 'password_policy');
    }
  });
});

describe('POST /auth/register: mass assignment is ignored', () => {
  const stored = (address: string) =>
    h.dataSource.getRepository(User).findOneByOrFail({ email: address });

  it('roles, permissions, isActive, isVerified, id, passwordHash, createdAt → 201 as a plain user', async () => {
    const address = email();
    const res = await register({
      email: address,
      password: 'mallory-password-1',
      roles: ['admin'],
      permissions: ['users:delete', 'users:*'],
      isActive: false,
      isVerified: true,
      id: 1,
      passwordHash: '$2b$04$abcdefghijklmnopqrstuuDvB7hYXqk0LjCUbZ9Kq8Sg3iC6m9Wm',
      createdAt: '2000-01-01T00:00:00.000Z',
    });
    expectAccepted(tally, res, 201);
    expectNoLeak(res);
    expect(res.body).toMatchObject({
      email: address,
      roles: ['user'],
      permissions: [],
      isActive: true,
      isVerified: false,
    });
    const user = await stored(address);
    expect(user.id).not.toBe(1);
    expect(user.passwordHash).not.toContain('abcdefghijklmnopqrstu');
    expectAccepted(tally, await login(address, 'mallory-password-1'));
  });

  it('the same fields under "__proto__" and constructor.prototype → 201, ignored, nothing polluted', async () => {
    const address = email();
    const res = await raw(
      `{"email":"${address}","password":"mallory-password-1",` +
        '"__proto__":{"roles":["admin"],"isVerified":true,"polluted":"yes"},' +
        '"constructor":{"prototype":{"roles":["admin"],"polluted":"yes"}}}',
    );
    expectAccepted(tally, res, 201);
    expectNoLeak(res);
    expect(res.body).toMatchObject({ roles: ['user'], isVerified: false, isActive: true });
    expect((await stored(address)).roles).toEqual(['user']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
