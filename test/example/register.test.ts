import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { User } from '../../example/user.entity';
import { describeEngines } from '../support/engines';
import { anyNumber, anyString, bearer, expectCoded, loginPair } from '../support/http';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';

describeEngines('example app: POST /auth/register', (engine) => {
  let h: ExampleHarness;
  beforeAll(async () => {
    h = await startExample(engine);
  });
  afterAll(() => stopExample(h));

  const register = (body: unknown) =>
    request(h.app)
      .post('/auth/register')
      .send(body as object);

  it('creates a user: 201, role user, active, unverified, no hash', async () => {
    const res = await register({ email: 'Bob@Example.com', password: 'bob-password-1' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: anyNumber(),
      email: 'bob@example.com',
      roles: ['user'],
      permissions: [],
      isActive: true,
      isVerified: false,
      createdAt: anyString(),
    });
    expect(res.text).not.toMatch(/passwordHash|\$2[aby]\$/);
    const stored = await h.dataSource
      .getRepository(User)
      .findOneByOrFail({ email: 'bob@example.com' });
    expect(stored.passwordHash).toMatch(/^\$2b\$04\$/);
    await loginPair(h.app, 'bob@example.com', 'bob-password-1');
  });

  it('ignores roles, permissions, isActive and isVerified sent in the body', async () => {
    const res = await register({
      email: 'mallory@example.com',
      password: 'mallory-password-1',
      roles: ['admin'],
      permissions: ['users:delete'],
      isActive: false,
      isVerified: true,
      id: 1,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      roles: ['user'],
      permissions: [],
      isActive: true,
      isVerified: false,
    });
    expect((res.body as { id: number }).id).not.toBe(1);
    const pair = await loginPair(h.app, 'mallory@example.com', 'mallory-password-1');
    const admin = await request(h.app)
      .get('/admin/users')
      .set('Authorization', bearer(pair.access_token));
    expect(admin.status).toBe(403);
  });

  it.each([
    ['a malformed email', { email: 'not-an-email', password: 'long-enough-1' }],
    ['a password under 8 characters', { email: 'short@example.com', password: 'seven77' }],
    ['a missing email', { password: 'long-enough-1' }],
    ['a missing password', { email: 'nopass@example.com' }],
    ['an empty object', {}],
    ['a non-string password', { email: 'num@example.com', password: 12345678 }],
    ['a non-string email', { email: ['a@example.com'], password: 'long-enough-1' }],
    ['a JSON array', [{ email: 'arr@example.com', password: 'long-enough-1' }]],
  ])('refuses %s with 400 validation_failed', async (_label, body) => {
    const res = await register(body);
    expect(res.status).toBe(400);
    expectCoded(res.body, 'validation_failed');
  });

  it('refuses a body that is not JSON with 400', async () => {
    const res = await request(h.app)
      .post('/auth/register')
      .set('Content-Type', 'application/json')
      .send('{"email": "broken@example.com", ');
    expect(res.status).toBe(400);
    expect(Object.keys(res.body as object).sort()).toEqual(['code', 'message', 'name']);
  });

  it.each([
    ['over 72 bytes', 'é'.repeat(37)],
    ['with a NUL byte', 'long-enough\u0000-1'],
  ])('refuses a password %s with 400 password_policy', async (_label, password) => {
    const res = await register({ email: 'policy@example.com', password });
    expect(res.status).toBe(400);
    expectCoded(res.body, 'password_policy');
  });

  it('refuses a taken email with 409 email_taken, whatever its case', async () => {
    for (const email of ['alice@example.com', ' ALICE@example.COM ']) {
      const res = await register({ email, password: 'another-password-1' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        name: 'EmailTakenError',
        code: 'email_taken',
        message: anyString(),
      });
    }
    await loginPair(h.app, 'alice@example.com', 'alice-password-1');
  });

  it('lets exactly one of two concurrent sign-ups for one email win', async () => {
    const body = { email: 'race@example.com', password: 'race-password-1' };
    const statuses = (await Promise.all([register(body), register(body)])).map((r) => r.status);
    expect(statuses.sort()).toEqual([201, 409]);
  });
});
