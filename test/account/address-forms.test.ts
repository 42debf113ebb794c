import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../http/helpers';
import { describeEngines } from '../support/engines';
import { buildAccountApp, signIn, type AccountApp } from './support';

// Pen test III: look-alike addresses (F3), header injection through an address (F5), deeply
// nested JSON (F6) and 409s as an unthrottled enumeration oracle.

const bearer = (token: string): string => `Bearer ${token}`;

/** Addresses IsEmail takes that must never reach a mailer (F5). */
const UNSAFE_ADDRESSES = [
  '"x\r\nBcc: evil@evil.example"@example.com',
  '"x\nBcc: evil@evil.example"@example.com',
  '"quoted"@example.com',
  '"a b"@example.com',
  'line\u2028break@example.com',
  'para\u2029break@example.com',
];

describeEngines('account addresses and bodies (pen test III)', (engine) => {
  let a: AccountApp;
  let admin: string;
  let user: string;
  let userId = 0;
  beforeAll(async () => {
    a = await buildAccountApp(engine, {
      throttle: { perAccountAndIp: 1000, perIp: 1000, perAccount: 1000 },
    });
    await a.make('admin@example.com', 'admin-password-1', {
      roles: ['admin'],
      permissions: ['users:read', 'users:write'],
    });
    userId = (await a.make('alice@example.com', 'alice-password-1')).id;
    admin = (await signIn(a.app, 'admin@example.com', 'admin-password-1')).access;
    user = (await signIn(a.app, 'alice@example.com', 'alice-password-1')).access;
  });
  afterAll(() => a.close());

  const register = (email: string) =>
    request(a.app).post('/auth/register').send({ email, password: 'password-one' });

  describe('F3: an address that folds to a registered one is taken', () => {
    it.each([
      ['accented', 'alicé@example.com'],
      ['accented, upper case', 'ALICÉ@example.com'],
      ['fullwidth', 'ａlice@example.com'],
      ['combining mark', 'alice\u0301@example.com'],
    ])('%s: %s → 409 email_taken, no account made', async (_, email) => {
      const before = await a.repo.count();
      expectError(await register(email), 409, 'email_taken');
      expect(await a.repo.count()).toBe(before);
    });

    it('an email change to a look-alike of another account: 409 on PATCH /users/me and /users/:id, nothing written', async () => {
      const bob = await a.make('bob@example.com', 'bob-password-1');
      const bobToken = (await signIn(a.app, 'bob@example.com', 'bob-password-1')).access;
      expectError(
        await request(a.app)
          .patch('/users/me')
          .set('Authorization', `Bearer ${bobToken}`)
          .send({ email: 'ALICÉ@example.com' }),
        409,
        'email_taken',
      );
      expectError(
        await request(a.app)
          .patch(`/users/${String(bob.id)}`)
          .set('Authorization', `Bearer ${admin}`)
          .send({ email: 'ａlice@example.com' }),
        409,
        'email_taken',
      );
      expect((await a.repo.findOneByOrFail({ id: bob.id })).email).toBe('bob@example.com');
      // A user may take an accented spelling of their own address: a look-alike of themselves.
      await a.make('dave@example.com', 'dave-password-1');
      const dave = (await signIn(a.app, 'dave@example.com', 'dave-password-1')).access;
      const own = await request(a.app)
        .patch('/users/me')
        .set('Authorization', `Bearer ${dave}`)
        .send({ email: 'davé@example.com' });
      expect(own.status, own.text).toBe(200);
    });

    it('an accented address whose fold is free registers, stored as sent', async () => {
      const res = await register('josé@example.com');
      expect(res.status, res.text).toBe(201);
      expect((res.body as { email: string }).email).toBe('josé@example.com');
    });
  });

  describe('F5: control characters, line separators and quoted local parts → 400', () => {
    const routes: [string, (email: string) => request.Test][] = [
      ['POST /auth/register', register],
      [
        'POST /auth/request-verify-token',
        (email) => request(a.app).post('/auth/request-verify-token').send({ email }),
      ],
      [
        'POST /auth/forgot-password',
        (email) => request(a.app).post('/auth/forgot-password').send({ email }),
      ],
      [
        'PATCH /users/me',
        (email) =>
          request(a.app).patch('/users/me').set('Authorization', bearer(user)).send({ email }),
      ],
      [
        'PATCH /users/:id',
        (email) =>
          request(a.app)
            .patch(`/users/${userId}`)
            .set('Authorization', bearer(admin))
            .send({ email }),
      ],
    ];
    it.each(routes)('%s', async (_, send) => {
      const mailed = a.outbox.length;
      for (const email of UNSAFE_ADDRESSES) {
        const res = await send(email);
        expect(res.status, JSON.stringify(email)).toBe(400);
        expectError(res, 400, 'validation_failed');
      }
      await a.auth.account.idle();
      expect(a.outbox.length).toBe(mailed);
      const stored = await a.repo.find();
      expect(stored.filter((u) => /["\p{Cc}\u2028\u2029]/u.test(u.email))).toEqual([]);
    });

    it('an ordinary address still passes, and trailing CRLF is trimmed like any space', async () => {
      const res = await register('plain.address+tag@example.com\r\n');
      expect(res.status, res.text).toBe(201);
      expect((res.body as { email: string }).email).toBe('plain.address+tag@example.com');
    });
  });

  describe('F6: a field holding an object or a nested array → 400, never a 500', () => {
    const deep = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    /** Each account route that takes a body, with the field the nesting goes into. */
    const routes: [string, string, string, () => string | null][] = [
      ['post', '/auth/register', 'email', () => null],
      ['post', '/auth/request-verify-token', 'email', () => null],
      ['post', '/auth/verify', 'token', () => null],
      ['post', '/auth/forgot-password', 'email', () => null],
      ['post', '/auth/reset-password', 'password', () => null],
      ['patch', '/users/me', 'email', () => user],
      ['delete', '/users/me', 'password', () => user],
      ['post', '/users/me/password', 'new_password', () => user],
      ['patch', '/users/:id', 'roles', () => admin],
    ];
    it.each(routes)('%s %s with %s nested 5000 deep', async (method, path, field, token) => {
      const url = path.replace(':id', String(userId));
      const bodies = [
        `{"${field}":${deep(5000)}}`,
        `{"${field}":{"a":"b"}}`,
        `{"${field}":["a",["b"]]}`,
        `{"${field}":[{"a":"b"}]}`,
      ];
      for (const body of bodies) {
        let req = request(a.app)[method as 'post' | 'patch' | 'delete'](url);
        const access = token();
        if (access !== null) req = req.set('Authorization', bearer(access));
        const res = await req.set('Content-Type', 'application/json').send(body);
        expectError(res, 400, 'validation_failed');
      }
      // The user is untouched by every refused body.
      expect(await meOf(user)).toMatchObject({ email: 'alice@example.com', roles: ['user'] });
    });

    it('a list of strings is still a list of roles', async () => {
      const res = await request(a.app)
        .patch(`/users/${userId}`)
        .set('Authorization', bearer(admin))
        .send({ roles: ['user', 'editor'] });
      expect(res.status, res.text).toBe(200);
      expect((res.body as { roles: string[] }).roles).toEqual(['user', 'editor']);
      await request(a.app)
        .patch(`/users/${userId}`)
        .set('Authorization', bearer(admin))
        .send({ roles: ['user'] });
    });
  });

  async function meOf(access: string): Promise<unknown> {
    const res = await request(a.app).get('/users/me').set('Authorization', bearer(access));
    expect(res.status).toBe(200);
    return res.body;
  }
});

describe('registration 409s are throttled; free addresses are not (pen test III)', () => {
  const apps: AccountApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  async function app(): Promise<AccountApp> {
    const a = await buildAccountApp('sqlite', {
      throttle: { perAccountAndIp: 3, perIp: 5, perAccount: 1000 },
    });
    apps.push(a);
    return a;
  }

  const register = (a: AccountApp, email: string) =>
    request(a.app).post('/auth/register').send({ email, password: 'password-one' });

  it('one taken address: 409 until the per-address-and-IP limit, then 429', async () => {
    const a = await app();
    await a.make('taken@example.com', 'password-one');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await register(a, 'taken@example.com')).status);
    expect(statuses).toEqual([409, 409, 409, 429, 429]);
  });

  it('many taken addresses from one IP: 429 past the per-IP limit, for free addresses too', async () => {
    const a = await app();
    const taken = Array.from({ length: 6 }, (_, i) => `taken${i}@example.com`);
    for (const email of taken) await a.make(email, 'password-one');
    const statuses: number[] = [];
    for (const email of taken) statuses.push((await register(a, email)).status);
    expect(statuses).toEqual([409, 409, 409, 409, 409, 429]);
    expectError(await register(a, 'free@example.com'), 429, 'too_many_requests');
  });

  it('registrations of free addresses are not counted', async () => {
    const a = await app();
    for (let i = 0; i < 8; i++) expect((await register(a, `new${i}@example.com`)).status).toBe(201);
    await a.make('taken@example.com', 'password-one');
    expect((await register(a, 'taken@example.com')).status).toBe(409);
  });
});

describe('enumeration-safe registration of a look-alike (pen test III, F3)', () => {
  it('202 like any other, no account made and nobody mailed', async () => {
    const a = await buildAccountApp('sqlite', { enumerationSafeRegistration: true });
    try {
      await a.make('alice@example.com', 'alice-password-1');
      const res = await request(a.app)
        .post('/auth/register')
        .send({ email: 'alicé@example.com', password: 'password-one' });
      expect([res.status, res.text]).toEqual([202, '']);
      await a.auth.account.idle();
      expect(await a.repo.count()).toBe(1);
      expect(a.outbox).toEqual([]);
    } finally {
      await a.close();
    }
  });
});
