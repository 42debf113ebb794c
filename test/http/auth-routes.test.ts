import type { Express } from 'express';
import request from 'supertest';
import type { Repository } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src';
import { PASSWORDS, type TestApp } from '../support/app';
import { QueryCounter } from '../support/query-counter';
import { TestUser } from '../support/users';
import {
  bearer,
  expectError,
  expectPair,
  loginPair,
  me,
  refreshByBearer,
  sidOf,
  useTestApp,
} from '../support/http';

const INVALID_TOKEN = 'Bearer error="invalid_token"';
const INVALID_REQUEST = 'Bearer error="invalid_request"';
const FRESH_PASSWORD = 'fresh-password-1';
const ALICE = { email: 'alice@example.com', password: PASSWORDS.alice };

let serial = 0;

/** A fresh active user of its own, so a test's sessions are only its own. */
async function newUser(app: TestApp, password = FRESH_PASSWORD): Promise<TestUser> {
  const repo = app.ds.getRepository(TestUser);
  serial += 1;
  return repo.save(
    repo.create({
      email: `fresh-${serial}@example.com`,
      passwordHash: await hashPassword(password, 4),
      roles: ['user'],
      permissions: [],
      isActive: true,
      isVerified: false,
    }),
  );
}

describe('POST /auth/login', () => {
  const t = useTestApp();
  const counter = new QueryCounter();
  beforeAll(() => {
    t().ds.logger = counter;
  });

  it('JSON with email → 200 token pair, Cache-Control: no-store', async () => {
    counter.reset();
    const res = await request(t().app).post('/auth/login').send(ALICE);
    const pair = expectPair(res);
    // The counter sees the login's queries: the "no query" assertions below are not vacuous.
    expect(counter.queries.map((q) => q.query.split(' ')[0])).toEqual([
      'SELECT', // the user
      'BEGIN',
      'SELECT', // the user's live sessions, for maxSessionsPerUser
      'INSERT', // the session
      'INSERT', // its two tokens
      'COMMIT',
      'SELECT', // the user again: its credential stamp unchanged since the check (pen test F1)
    ]);
    expect((await me(t().app, pair.access_token)).body).toEqual({
      id: t().users.alice.id,
      email: ALICE.email,
    });
  });

  it('JSON with username → 200 token pair', async () => {
    const res = await request(t().app)
      .post('/auth/login')
      .send({ username: ALICE.email, password: ALICE.password });
    expectPair(res);
  });

  it('email and username at once → 400 invalid_request', async () => {
    counter.reset();
    for (const username of [ALICE.email, 'someone-else']) {
      const res = await request(t().app)
        .post('/auth/login')
        .send({ email: ALICE.email, username, password: ALICE.password });
      expectError(res, 400, 'invalid_request', INVALID_REQUEST);
    }
    expect(counter.count).toBe(0);
  });

  const MALFORMED: [string, unknown][] = [
    ['a number email', { email: 123, password: ALICE.password }],
    ['a number username', { username: 0, password: ALICE.password }],
    ['an empty email', { email: '', password: ALICE.password }],
    ['a blank email', { email: '   ', password: ALICE.password }],
    ['a null email', { email: null, password: ALICE.password }],
    ['an array email', { email: [ALICE.email], password: ALICE.password }],
    ['an object email (operator injection)', { email: { $ne: null }, password: ALICE.password }],
    ['a boolean email', { email: true, password: ALICE.password }],
    ['a missing identifier', { password: ALICE.password }],
    ['a 321-character email', { email: `${'a'.repeat(309)}@example.com`, password: 'x' }],
    ['a missing password', { email: ALICE.email }],
    ['an empty password', { email: ALICE.email, password: '' }],
    ['a number password', { email: ALICE.email, password: 12345678 }],
    ['a null password', { email: ALICE.email, password: null }],
    ['an array password', { email: ALICE.email, password: [ALICE.password] }],
    ['an object password', { email: ALICE.email, password: { toString: 'x' } }],
    ['an empty object', {}],
    ['an array body', [ALICE]],
    ['an empty array body', []],
  ];

  it.each(MALFORMED)('%s → 400 invalid_request, before any query', async (_label, body) => {
    counter.reset();
    const res = await request(t().app)
      .post('/auth/login')
      .send(body as object);
    expectError(res, 400, 'invalid_request', INVALID_REQUEST);
    expect(counter.queries).toEqual([]);
  });

  it.each([
    ['a JSON number', '42'],
    ['a JSON string', '"alice@example.com"'],
    ['JSON null', 'null'],
  ])('%s as the body → 400 invalid_request, before any query', async (_label, raw) => {
    counter.reset();
    const res = await request(t().app)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send(raw);
    expectError(res, 400, 'invalid_request');
    // Valid JSON, but not an object or array: the message must not call it invalid JSON.
    expect((res.body as { message: string }).message).toBe(
      'The request body must be valid JSON: an object or an array.',
    );
    expect(counter.queries).toEqual([]);
  });

  it('names the limit when the identifier is too long, not "non-empty string"', async () => {
    const res = await request(t().app)
      .post('/auth/login')
      .send({ email: `${'a'.repeat(309)}@example.com`, password: 'x' });
    expectError(res, 400, 'invalid_request', INVALID_REQUEST);
    expect((res.body as { message: string }).message).toBe(
      'email (or username) must be at most 320 characters.',
    );
  });

  it('no body at all → 400 invalid_request, before any query', async () => {
    counter.reset();
    const res = await request(t().app).post('/auth/login');
    expectError(res, 400, 'invalid_request', INVALID_REQUEST);
    expect(counter.queries).toEqual([]);
  });

  const OVER_POLICY: [string, string][] = [
    ['73 ASCII bytes', 'a'.repeat(73)],
    ['37 two-byte characters (74 bytes)', 'é'.repeat(37)],
    ['a NUL byte', `${PASSWORDS.alice}\0`],
    ['a NUL byte inside', 'alice\0password-1'],
  ];

  describe.each([
    ['an existing user', ALICE.email],
    ['an unknown user', 'nobody@example.com'],
  ])('for %s', (_who, email) => {
    it.each(OVER_POLICY)('a password with %s → 400 password_policy, no query', async (_l, pw) => {
      counter.reset();
      const res = await request(t().app).post('/auth/login').send({ email, password: pw });
      expectError(res, 400, 'password_policy');
      expect(counter.queries).toEqual([]);
      counter.reset();
      const form = await request(t().app)
        .post('/auth/token')
        .type('form')
        .send({ username: email, password: pw });
      expectError(form, 400, 'password_policy');
      expect(counter.queries).toEqual([]);
    });
  });

  it('a 72-byte password is within the policy (plain wrong-password 401)', async () => {
    const res = await request(t().app)
      .post('/auth/login')
      .send({ email: ALICE.email, password: 'a'.repeat(72) });
    expectError(res, 401, 'invalid_credentials', 'Bearer');
  });

  it('unknown user, wrong password, inactive user: identical status, body and headers', async () => {
    const attempts = [
      { email: 'nobody@example.com', password: 'whatever-password-1' },
      { email: ALICE.email, password: 'wrong-password-1' },
      { email: 'inactive@example.com', password: PASSWORDS.inactive },
    ];
    const responses = [];
    for (const attempt of attempts) {
      const res = await request(t().app).post('/auth/login').send(attempt);
      const { date: _date, ...headers } = res.headers as Record<string, string>;
      responses.push({ status: res.status, text: res.text, headers });
    }
    const [first, ...rest] = responses;
    expect(first?.status).toBe(401);
    expect(JSON.parse(first?.text ?? '')).toEqual({
      name: 'InvalidCredentialsError',
      code: 'invalid_credentials',
      message: expect.any(String) as string,
    });
    expect(first?.headers['www-authenticate']).toBe('Bearer');
    expect(first?.headers['cache-control']).toBe('no-store');
    for (const other of rest) expect(other).toEqual(first);
  });
});

describe('POST /auth/token (OAuth2 password form)', () => {
  const t = useTestApp();

  it.each([
    ['without grant_type', {}],
    ['with grant_type=password', { grant_type: 'password' }],
  ])('%s → 200 token pair', async (_label, extra) => {
    const res = await request(t().app)
      .post('/auth/token')
      .type('form')
      .send({ username: ALICE.email, password: ALICE.password, ...extra });
    expectPair(res);
  });

  it.each(['client_credentials', 'refresh_token', 'authorization_code', ''])(
    'grant_type=%j → 400 invalid_request',
    async (grant) => {
      const res = await request(t().app)
        .post('/auth/token')
        .type('form')
        .send({ grant_type: grant, username: ALICE.email, password: ALICE.password });
      expectError(res, 400, 'invalid_request', INVALID_REQUEST);
    },
  );

  it('JSON instead of a form → 400 invalid_request', async () => {
    const res = await request(t().app)
      .post('/auth/token')
      .send({ username: ALICE.email, password: ALICE.password });
    expectError(res, 400, 'invalid_request', INVALID_REQUEST);
  });

  it('a wrong password → 401 invalid_credentials, like /auth/login', async () => {
    const res = await request(t().app)
      .post('/auth/token')
      .type('form')
      .send({ username: ALICE.email, password: 'wrong-password-1' });
    expectError(res, 401, 'invalid_credentials', 'Bearer');
  });

  it('a repeated form field (array) → 400 invalid_request', async () => {
    const res = await request(t().app)
      .post('/auth/token')
      .type('form')
      .send(`username=${encodeURIComponent(ALICE.email)}&username=x&password=${ALICE.password}`);
    expectError(res, 400, 'invalid_request', INVALID_REQUEST);
  });
});

describe('POST /auth/refresh', () => {
  const t = useTestApp();

  describe.each([
    ['Bearer', (app: Express, token: string) => refreshByBearer(app, token)],
    [
      'JSON body',
      (app: Express, token: string) =>
        request(app).post('/auth/refresh').send({ refresh_token: token }),
    ],
  ])('with the refresh token as %s', (_how, refresh) => {
    it('rotates: a new pair, the old refresh token dead, replay kills the newest pair', async () => {
      const user = await newUser(t());
      const first = await loginPair(t().app, user.email, FRESH_PASSWORD);
      const second = expectPair(await refresh(t().app, first.refresh_token));
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect(second.access_token).not.toBe(first.access_token);
      expect(sidOf(second.refresh_token)).toBe(sidOf(first.refresh_token));
      expect((await me(t().app, second.access_token)).status).toBe(200);

      // Replay of the rotated token: reuse.
      expectError(
        await refresh(t().app, first.refresh_token),
        401,
        'refresh_token_reused',
        INVALID_TOKEN,
      );
      // The whole session is dead, the newest pair too.
      expectError(await me(t().app, second.access_token), 401, 'token_revoked', INVALID_TOKEN);
      const newest = await refresh(t().app, second.refresh_token);
      expect(newest.status).toBe(401);
      expect((newest.body as { code: string }).code).toMatch(
        /^(token_revoked|refresh_token_reused)$/,
      );
      // The first access token died with the session as well.
      expect((await me(t().app, first.access_token)).status).toBe(401);
    });
  });

  it('an access token instead → 401 wrong_token_type', async () => {
    const pair = await loginPair(t().app, ALICE.email, ALICE.password);
    expectError(
      await refreshByBearer(t().app, pair.access_token),
      401,
      'wrong_token_type',
      INVALID_TOKEN,
    );
  });

  // Newcomer: a bad refresh token was answered "The access token is invalid."
  it('a malformed refresh token → 401 invalid_token, without calling it an access token', async () => {
    const res = await request(t().app).post('/auth/refresh').send({ refresh_token: 'abc' });
    expectError(res, 401, 'invalid_token', INVALID_TOKEN);
    expect((res.body as { message: string }).message).toBe('The token is invalid.');
  });

  it('no refresh token → 401 missing_credentials', async () => {
    expectError(await request(t().app).post('/auth/refresh'), 401, 'missing_credentials', 'Bearer');
    expectError(
      await request(t().app).post('/auth/refresh').send({}),
      401,
      'missing_credentials',
      'Bearer',
    );
  });

  it.each([[''], [42], [null], [['a.b.c']]])(
    'refresh_token %j in the body → 400 invalid_request',
    async (value) => {
      const res = await request(t().app).post('/auth/refresh').send({ refresh_token: value });
      expectError(res, 400, 'invalid_request', INVALID_REQUEST);
    },
  );

  it('Bearer and body at once → 400 invalid_request', async () => {
    const pair = await loginPair(t().app, ALICE.email, ALICE.password);
    const res = await refreshByBearer(t().app, pair.refresh_token).send({
      refresh_token: pair.refresh_token,
    });
    expectError(res, 400, 'invalid_request', INVALID_REQUEST);
  });

  it('a user who became inactive → 401 and the session is revoked', async () => {
    const user = await newUser(t());
    const pair = await loginPair(t().app, user.email, FRESH_PASSWORD);
    const repo = t().ds.getRepository(TestUser);
    await repo.update({ id: user.id }, { isActive: false });
    expectError(
      await refreshByBearer(t().app, pair.refresh_token),
      401,
      'user_inactive',
      INVALID_TOKEN,
    );
    // Reactivated, the session stays dead.
    await repo.update({ id: user.id }, { isActive: true });
    expectError(await me(t().app, pair.access_token), 401, 'token_revoked', INVALID_TOKEN);
    expect((await refreshByBearer(t().app, pair.refresh_token)).status).toBe(401);
    expect((await t().auth.tokens.listSessions(user.id)).length).toBe(0);
  });

  // Pen test: after PATCH /users/:id {isActive:false} (which revokes every session) the access
  // token answered token_revoked but the refresh token user_inactive, against the README's table.
  const changes: [string, (repo: Repository<TestUser>, id: number) => Promise<void>][] = [
    [
      'deactivated',
      async (repo, id) => {
        await repo.update({ id }, { isActive: false });
      },
    ],
    [
      'deleted',
      async (repo, id) => {
        await repo.delete({ id });
      },
    ],
  ];
  it.each(changes)(
    'a user %s with the sessions revoked first (as the routes do) → 401 token_revoked on refresh too',
    async (_how, change) => {
      const user = await newUser(t());
      const pair = await loginPair(t().app, user.email, FRESH_PASSWORD);
      expect(await t().auth.tokens.revokeAllForUser(user.id)).toBe(1);
      await change(t().ds.getRepository(TestUser), user.id);
      expectError(await me(t().app, pair.access_token), 401, 'token_revoked', INVALID_TOKEN);
      expectError(
        await refreshByBearer(t().app, pair.refresh_token),
        401,
        'token_revoked',
        INVALID_TOKEN,
      );
    },
  );

  it('a deleted user → 401 and the session is revoked', async () => {
    const user = await newUser(t());
    const pair = await loginPair(t().app, user.email, FRESH_PASSWORD);
    await t().ds.getRepository(TestUser).delete({ id: user.id });
    expectError(
      await refreshByBearer(t().app, pair.refresh_token),
      401,
      'user_inactive',
      INVALID_TOKEN,
    );
    expect((await t().auth.tokens.listSessions(user.id)).length).toBe(0);
  });
});

describe('POST /auth/logout and /auth/logout-all', () => {
  const t = useTestApp();

  it('logout → 204; both tokens of the session are dead, other sessions live', async () => {
    const user = await newUser(t());
    const pair = await loginPair(t().app, user.email, FRESH_PASSWORD);
    const other = await loginPair(t().app, user.email, FRESH_PASSWORD);
    const res = await request(t().app)
      .post('/auth/logout')
      .set('Authorization', bearer(pair.access_token));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await me(t().app, pair.access_token), 401, 'token_revoked', INVALID_TOKEN);
    expect((await refreshByBearer(t().app, pair.refresh_token)).status).toBe(401);
    // A second logout with the dead token is a 401, not a 204.
    const again = await request(t().app)
      .post('/auth/logout')
      .set('Authorization', bearer(pair.access_token));
    expectError(again, 401, 'token_revoked', INVALID_TOKEN);
    // The user's other session is untouched.
    expect((await me(t().app, other.access_token)).status).toBe(200);
    expectPair(await refreshByBearer(t().app, other.refresh_token));
  });

  it('logout with a refresh token → 401 wrong_token_type, nothing revoked', async () => {
    const user = await newUser(t());
    const pair = await loginPair(t().app, user.email, FRESH_PASSWORD);
    const res = await request(t().app)
      .post('/auth/logout')
      .set('Authorization', bearer(pair.refresh_token));
    expectError(res, 401, 'wrong_token_type', INVALID_TOKEN);
    expect((await me(t().app, pair.access_token)).status).toBe(200);
  });

  it('logout-all → 204; every session of the user is dead, other users untouched', async () => {
    const user = await newUser(t());
    const sessions = [
      await loginPair(t().app, user.email, FRESH_PASSWORD),
      await loginPair(t().app, user.email, FRESH_PASSWORD),
      await loginPair(t().app, user.email, FRESH_PASSWORD),
    ];
    const bystander = await loginPair(t().app, ALICE.email, ALICE.password);
    const res = await request(t().app)
      .post('/auth/logout-all')
      .set('Authorization', bearer(sessions[1]?.access_token ?? ''));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    for (const pair of sessions) {
      expectError(await me(t().app, pair.access_token), 401, 'token_revoked', INVALID_TOKEN);
      expect((await refreshByBearer(t().app, pair.refresh_token)).status).toBe(401);
    }
    expect(await t().auth.tokens.listSessions(user.id)).toEqual([]);
    expect((await me(t().app, bystander.access_token)).status).toBe(200);
  });

  it('without a token → 401 missing_credentials', async () => {
    for (const path of ['/auth/logout', '/auth/logout-all']) {
      expectError(await request(t().app).post(path), 401, 'missing_credentials', 'Bearer');
    }
  });
});

describe('GET /auth/sessions', () => {
  const t = useTestApp();

  it("lists the caller's live sessions; current only for the caller's; user agent from login", async () => {
    const user = await newUser(t());
    const one = await loginPair(t().app, user.email, FRESH_PASSWORD, 'ua-one/1.0 (test)');
    const two = await loginPair(t().app, user.email, FRESH_PASSWORD, 'ua-two/2.0 (test)');
    const dead = await loginPair(t().app, user.email, FRESH_PASSWORD, 'ua-dead/0.1');
    await request(t().app).post('/auth/logout').set('Authorization', bearer(dead.access_token));
    await loginPair(t().app, ALICE.email, ALICE.password, 'alice-agent'); // someone else's

    const res = await request(t().app)
      .get('/auth/sessions')
      .set('Authorization', bearer(two.access_token));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const list = res.body as {
      id: string;
      current: boolean;
      userAgent: string | null;
      ip: string | null;
      createdAt: string;
      lastUsedAt: string;
      expiresAt: string;
    }[];
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((s) => s.id).sort()).toEqual(
      [sidOf(one.access_token), sidOf(two.access_token)].sort(),
    );
    const byId = new Map(list.map((s) => [s.id, s]));
    expect(byId.get(sidOf(two.access_token))).toMatchObject({
      current: true,
      userAgent: 'ua-two/2.0 (test)',
    });
    expect(byId.get(sidOf(one.access_token))).toMatchObject({
      current: false,
      userAgent: 'ua-one/1.0 (test)',
    });
    for (const s of list) {
      expect(Object.keys(s).sort()).toEqual(
        ['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastUsedAt', 'userAgent'].sort(),
      );
      expect(typeof s.ip).toBe('string');
      for (const time of [s.createdAt, s.lastUsedAt, s.expiresAt]) {
        expect(new Date(time).toISOString()).toBe(time);
      }
    }
    expect(res.text).not.toContain(two.access_token);
    expect(res.text).not.toContain(two.refresh_token);

    // Seen from the other session, the other one is current.
    const fromOne = await request(t().app)
      .get('/auth/sessions')
      .set('Authorization', bearer(one.access_token));
    const current = (fromOne.body as { id: string; current: boolean }[]).filter((s) => s.current);
    expect(current.map((s) => s.id)).toEqual([sidOf(one.access_token)]);
  });

  it('without a token → 401 missing_credentials', async () => {
    expectError(await request(t().app).get('/auth/sessions'), 401, 'missing_credentials', 'Bearer');
  });
});

describe('bcrypt re-hash on login (app at cost 5, stored hash at cost 4)', () => {
  const t = useTestApp({ bcryptCost: 5 });

  async function storedHash(app: TestApp): Promise<string> {
    const row = await app.ds.getRepository(TestUser).findOneByOrFail({ id: app.users.alice.id });
    return row.passwordHash;
  }

  it('a failed login leaves the hash alone; a successful one re-hashes at the configured cost', async () => {
    const before = await storedHash(t());
    expect(before.startsWith('$2b$04$')).toBe(true);

    const failed = await request(t().app)
      .post('/auth/login')
      .send({ email: ALICE.email, password: 'wrong-password-1' });
    expect(failed.status).toBe(401);
    expect(await storedHash(t())).toBe(before);

    expectPair(await request(t().app).post('/auth/login').send(ALICE));
    const after = await storedHash(t());
    expect(after).toMatch(/^\$2[aby]\$05\$/);

    // The new hash verifies, and is not rewritten again on the next login.
    expectPair(await request(t().app).post('/auth/login').send(ALICE));
    expect(await storedHash(t())).toBe(after);
  });
});
