import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../http/helpers';
import { describeEngines } from '../support/engines';
import { buildAccountApp, comparableHeaders, meStatus, signIn, type AccountApp } from './support';

const anyString = (): string => expect.any(String) as string;
const anyNumber = (): number => expect.any(Number) as number;
const bearer = (token: string): string => `Bearer ${token}`;
const MINUTE = 60_000;

describeEngines('account flows over HTTP', (engine) => {
  let a: AccountApp;
  let serial = 0;
  const fresh = (): string => `user${++serial}@example.com`;
  const post = (path: string, body: unknown) =>
    request(a.app)
      .post(path)
      .send(body as object);

  beforeAll(async () => {
    a = await buildAccountApp(engine, {
      // 20 sign-ups at once hash 20 passwords: past the default queue (8 × cores − 1) they are shed
      // with 503 auth_busy, which is right under load but not what this suite is about.
      passwordQueueLimit: 100,
      throttle: { perAccountAndIp: 1000, perIp: 1000, perAccount: 1000 },
    });
    await a.make('admin@example.com', 'admin-password-1', {
      roles: ['admin'],
      permissions: ['users:read', 'users:write', 'users:delete'],
      isVerified: true,
    });
  });
  afterAll(() => a.close());

  /** Registers through the route and returns the new user's id. */
  async function registered(email: string, password = 'password-one'): Promise<number> {
    const res = await post('/auth/register', { email, password });
    expect(res.status, res.text).toBe(201);
    return (res.body as { id: number }).id;
  }

  async function verifyToken(email: string): Promise<string> {
    const before = (await a.mails(email, 'verify')).length;
    expect((await post('/auth/request-verify-token', { email })).status).toBe(202);
    const mails = await a.mails(email, 'verify');
    expect(mails.length).toBe(before + 1);
    return mails[mails.length - 1]?.token ?? '';
  }

  async function resetToken(email: string): Promise<string> {
    const before = (await a.mails(email, 'reset')).length;
    expect((await post('/auth/forgot-password', { email })).status).toBe(202);
    const mails = await a.mails(email, 'reset');
    expect(mails.length).toBe(before + 1);
    return mails[mails.length - 1]?.token ?? '';
  }

  describe('register', () => {
    it('201 with the user, the address normalized, privileged fields ignored (SECURITY 28)', async () => {
      const res = await post('/auth/register', {
        email: '  New.Person@Example.COM ',
        password: 'password-one',
        roles: ['admin'],
        permissions: ['users:delete'],
        isActive: false,
        isVerified: true,
        passwordHash: 'x',
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: anyNumber(),
        email: 'new.person@example.com',
        isActive: true,
        isVerified: false,
        roles: ['user'],
        permissions: [],
        createdAt: anyString(),
        updatedAt: anyString(),
      });
      await signIn(a.app, 'new.person@example.com', 'password-one');
    });

    it('409 email_taken for an address already registered, in any case and spacing', async () => {
      const email = fresh();
      await registered(email);
      for (const spelling of [email, email.toUpperCase(), ` ${email} `]) {
        expectError(
          await post('/auth/register', { email: spelling, password: 'password-two' }),
          409,
          'email_taken',
        );
      }
    });

    it('20 parallel registrations of one address: one user, 19 × 409 (SECURITY 28)', async () => {
      const email = fresh();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post('/auth/register', {
            email: i % 2 ? email.toUpperCase() : email,
            password: 'password-one',
          }),
        ),
      );
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
      for (const r of answers.filter((x) => x.status === 409)) expectError(r, 409, 'email_taken');
      expect(await a.repo.countBy({ email })).toBe(1);
    });

    it('an accented spelling is another address, never the same account', async () => {
      const email = fresh();
      const accented = email.replace('user', 'usér');
      const res = await post('/auth/register', { email: accented, password: 'password-two' });
      expect(res.status).toBe(201);
      expect((res.body as { email: string }).email).toBe(accented);
      await registered(email);
      expect(
        (
          await request(a.app)
            .post('/auth/login')
            .send({ email: accented, password: 'password-one' })
        ).status,
      ).toBe(401);
      // Once the plain spelling is registered, an accented one is a look-alike of it (pen test III).
      const other = fresh();
      await registered(other);
      const lookAlike = other.replace('user', 'usér');
      expectError(
        await post('/auth/register', { email: lookAlike, password: 'password-two' }),
        409,
        'email_taken',
      );
    });

    const bad: [string, unknown, string][] = [
      ['a JSON array', [{ email: 'x@example.com', password: 'password-one' }], 'validation_failed'],
      ['no email', { password: 'password-one' }, 'validation_failed'],
      ['a number as email', { email: 7, password: 'password-one' }, 'validation_failed'],
      ['an object as email', { email: { $ne: '' }, password: 'password-one' }, 'validation_failed'],
      ['not an address', { email: 'nobody', password: 'password-one' }, 'validation_failed'],
      [
        'a 7-character password',
        { email: 'y@example.com', password: 'short-7' },
        'validation_failed',
      ],
      ['a number as password', { email: 'y@example.com', password: 12345678 }, 'validation_failed'],
      [
        'a 73-byte password',
        { email: 'y@example.com', password: 'p'.repeat(73) },
        'password_policy',
      ],
      [
        'a NUL in the password',
        { email: 'y@example.com', password: 'password\0one' },
        'password_policy',
      ],
    ];
    for (const [what, body, code] of bad) {
      it(`400 ${code} for ${what}`, async () => {
        expectError(await post('/auth/register', body), 400, code);
      });
    }
  });

  describe('request-verify-token and verify', () => {
    it('202 with the same body and headers for unknown, verified, inactive and unverified addresses; mail only for the last (SECURITY 25)', async () => {
      const unverified = fresh();
      const inactive = fresh();
      await registered(unverified);
      await a.make(inactive, 'password-one', { isActive: false });
      const answers = [];
      for (const email of ['nobody@example.com', 'admin@example.com', inactive, unverified]) {
        answers.push(await post('/auth/request-verify-token', { email }));
      }
      for (const res of answers) {
        expect({ status: res.status, text: res.text }).toEqual({ status: 202, text: '' });
        expect(comparableHeaders(res)).toEqual(comparableHeaders(answers[0] as request.Response));
      }
      await a.auth.account.idle();
      expect(a.outbox.filter((m) => m.kind === 'verify').map((m) => m.to)).toContain(unverified);
      for (const to of ['nobody@example.com', 'admin@example.com', inactive]) {
        expect(await a.mails(to, 'verify')).toEqual([]);
      }
    });

    it('verify: 200 user now verified; the token is single-use (SECURITY 24)', async () => {
      const email = fresh();
      await registered(email);
      const token = await verifyToken(email);
      const res = await post('/auth/verify', { token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ email, isVerified: true });
      expect(Object.keys(res.body as object)).not.toContain('passwordHash');
      expectError(await post('/auth/verify', { token }), 400, 'invalid_verify_token');
    });

    it('verify: expired, forged, foreign-purpose and malformed tokens → 400 coded (SECURITY 24)', async () => {
      const email = fresh();
      await registered(email);
      const expiring = await verifyToken(email);
      const reset = await resetToken(email);
      const { access, refresh } = await signIn(a.app, email, 'password-one');
      const [h, p, s] = (await verifyToken(email)).split('.');
      const forged = `${h}.${p}.${(s ?? '').slice(0, -2)}AA`;
      for (const token of [forged, access, refresh, reset, 'not-a-jwt', 'a.b.c']) {
        expectError(await post('/auth/verify', { token }), 400, 'invalid_verify_token');
      }
      for (const token of [7, '', null, 'x'.repeat(5000)]) {
        expectError(await post('/auth/verify', { token }), 400, 'validation_failed');
      }
      a.clock.advance(1441 * MINUTE);
      expectError(await post('/auth/verify', { token: expiring }), 400, 'invalid_verify_token');
      a.clock.advance(-1441 * MINUTE);
    });

    it('verify and reset tokens are never accepted as access or refresh tokens (SECURITY 24)', async () => {
      const email = fresh();
      await registered(email);
      for (const token of [await verifyToken(email), await resetToken(email)]) {
        expect(await meStatus(a.app, token)).toBe(401);
        const res = await request(a.app).post('/auth/refresh').send({ refresh_token: token });
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      }
    });
  });

  describe('forgot-password and reset-password', () => {
    it('202 identical for unknown, inactive and registered addresses; mail only for the active one (SECURITY 25)', async () => {
      const email = fresh();
      const inactive = fresh();
      await registered(email);
      await a.make(inactive, 'password-one', { isActive: false });
      const answers = [];
      for (const to of ['nobody@example.com', inactive, email]) {
        answers.push(await post('/auth/forgot-password', { email: to }));
      }
      for (const res of answers) {
        expect({ status: res.status, text: res.text }).toEqual({ status: 202, text: '' });
        expect(comparableHeaders(res)).toEqual(comparableHeaders(answers[0] as request.Response));
      }
      expect((await a.mails(email, 'reset')).length).toBe(1);
      expect(await a.mails(inactive, 'reset')).toEqual([]);
      expect(await a.mails('nobody@example.com', 'reset')).toEqual([]);
    });

    it('reset: 204, the new password works, every session revoked, the token spent (SECURITY 24, 26)', async () => {
      const email = fresh();
      await registered(email);
      const one = await signIn(a.app, email, 'password-one');
      const two = await signIn(a.app, email, 'password-one');
      const token = await resetToken(email);
      expect((await post('/auth/reset-password', { token, password: 'password-new' })).status).toBe(
        204,
      );
      expect(await meStatus(a.app, one.access)).toBe(401);
      expect(await meStatus(a.app, two.access)).toBe(401);
      expect(
        (await request(a.app).post('/auth/refresh').send({ refresh_token: one.refresh })).status,
      ).toBe(401);
      expectError(
        await post('/auth/reset-password', { token, password: 'password-again' }),
        400,
        'invalid_reset_token',
      );
      expect(
        (await request(a.app).post('/auth/login').send({ email, password: 'password-one' })).status,
      ).toBe(401);
      await signIn(a.app, email, 'password-new');
    });

    it('a reset token issued before the password changed is dead; a newer one does not extend it (SECURITY 24)', async () => {
      const email = fresh();
      await registered(email);
      const older = await resetToken(email);
      a.clock.advance(30 * MINUTE);
      const newer = await resetToken(email);
      a.clock.advance(31 * MINUTE); // the older one is 61 minutes old: past the 60-minute default
      expectError(
        await post('/auth/reset-password', { token: older, password: 'password-new' }),
        400,
        'invalid_reset_token',
      );
      const stale = await resetToken(email);
      expect(
        (await post('/auth/reset-password', { token: newer, password: 'password-new' })).status,
      ).toBe(204);
      expectError(
        await post('/auth/reset-password', { token: stale, password: 'password-3rd' }),
        400,
        'invalid_reset_token',
      );
    });

    it('a bad password is refused before the token is spent', async () => {
      const email = fresh();
      await registered(email);
      const token = await resetToken(email);
      expectError(
        await post('/auth/reset-password', { token, password: 'short' }),
        400,
        'validation_failed',
      );
      expectError(
        await post('/auth/reset-password', { token, password: 'p'.repeat(73) }),
        400,
        'password_policy',
      );
      expectError(await post('/auth/reset-password', [token]), 400, 'validation_failed');
      expect((await post('/auth/reset-password', { token, password: 'password-new' })).status).toBe(
        204,
      );
    });

    it('a verify token cannot reset a password (SECURITY 24)', async () => {
      const email = fresh();
      await registered(email);
      const token = await verifyToken(email);
      expectError(
        await post('/auth/reset-password', { token, password: 'password-new' }),
        400,
        'invalid_reset_token',
      );
    });
  });

  describe('the signed-in user', () => {
    it('change password: wrong current → 400 invalid_password (not 401); else 204, other sessions dead, this one alive, outstanding reset tokens dead (SECURITY 24, 26)', async () => {
      const email = fresh();
      await registered(email);
      const mine = await signIn(a.app, email, 'password-one');
      const other = await signIn(a.app, email, 'password-one');
      const reset = await resetToken(email);
      const change = (body: unknown) =>
        request(a.app)
          .post('/users/me/password')
          .set('Authorization', bearer(mine.access))
          .send(body as object);
      expectError(
        await change({ current_password: 'wrong-password', new_password: 'password-new' }),
        400,
        'invalid_password',
      );
      expectError(await change({ current_password: 'password-one' }), 400, 'validation_failed');
      expectError(
        await change({ current_password: 'password-one', new_password: 'short' }),
        400,
        'validation_failed',
      );
      expectError(
        await change({ currentPassword: 'password-one', newPassword: 'password-new' }),
        400,
        'validation_failed',
      );
      expect(
        (await change({ current_password: 'password-one', new_password: 'password-new' })).status,
      ).toBe(204);
      expect(await meStatus(a.app, mine.access)).toBe(200);
      expect(await meStatus(a.app, other.access)).toBe(401);
      expectError(
        await post('/auth/reset-password', { token: reset, password: 'password-3rd' }),
        400,
        'invalid_reset_token',
      );
      await signIn(a.app, email, 'password-new');
    });

    it('PATCH /users/me: a new address drops verified, other sessions die, a verify mail goes to the new one; privileged fields ignored (SECURITY 26)', async () => {
      const email = fresh();
      const id = await registered(email);
      await post('/auth/verify', { token: await verifyToken(email) });
      const mine = await signIn(a.app, email, 'password-one');
      const other = await signIn(a.app, email, 'password-one');
      const patch = (body: unknown) =>
        request(a.app)
          .patch('/users/me')
          .set('Authorization', bearer(mine.access))
          .send(body as object);
      const same = await patch({
        roles: ['admin'],
        permissions: ['users:delete'],
        isActive: false,
        isVerified: false,
        password: 'hijacked-1',
      });
      expect(same.status).toBe(200);
      expect(same.body).toMatchObject({
        id,
        email,
        roles: ['user'],
        permissions: [],
        isActive: true,
        isVerified: true,
      });
      const next = fresh();
      const res = await patch({ email: next.toUpperCase() });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, email: next, isVerified: false });
      expect(await meStatus(a.app, mine.access)).toBe(200);
      expect(await meStatus(a.app, other.access)).toBe(401);
      expect((await a.mails(next, 'verify')).length).toBe(1);
      expectError(await patch({ email: 'admin@example.com' }), 409, 'email_taken');
      expectError(await patch({ email: 'nope' }), 400, 'validation_failed');
      expectError(await patch([1]), 400, 'validation_failed');
      expect(
        (await request(a.app).post('/auth/login').send({ email: next, password: 'hijacked-1' }))
          .status,
      ).toBe(401);
    });

    it('DELETE /users/me: wrong password → 400; with it → 204 and every token dead (SECURITY 27)', async () => {
      const email = fresh();
      await registered(email);
      const one = await signIn(a.app, email, 'password-one');
      const two = await signIn(a.app, email, 'password-one');
      const del = (body: unknown) =>
        request(a.app)
          .delete('/users/me')
          .set('Authorization', bearer(one.access))
          .send(body as object);
      expectError(await del({ password: 'wrong-password' }), 400, 'invalid_password');
      expectError(await del({}), 400, 'validation_failed');
      expect((await del({ password: 'password-one' })).status).toBe(204);
      expect(await meStatus(a.app, one.access)).toBe(401);
      expect(await meStatus(a.app, two.access)).toBe(401);
      expect(
        (await request(a.app).post('/auth/refresh').send({ refresh_token: two.refresh })).status,
      ).toBe(401);
      expect(await a.repo.countBy({ email })).toBe(0);
    });

    it('without a token: 401', async () => {
      expectError(await request(a.app).get('/users/me'), 401, 'missing_credentials', 'Bearer');
      expectError(
        await request(a.app).post('/users/me/password').send({}),
        401,
        'missing_credentials',
        'Bearer',
      );
    });
  });

  describe('users by id', () => {
    it('permissions users:read / users:write / users:delete; 404 for unknown and malformed ids', async () => {
      const email = fresh();
      const id = await registered(email);
      const user = await signIn(a.app, email, 'password-one');
      const admin = await signIn(a.app, 'admin@example.com', 'admin-password-1');
      const as = (token: string) => ({ Authorization: bearer(token) });
      expectError(
        await request(a.app).get(`/users/${id}`).set(as(user.access)),
        403,
        'insufficient_scope',
        'Bearer error="insufficient_scope"',
      );
      expectError(
        await request(a.app).patch(`/users/${id}`).set(as(user.access)).send({ isActive: false }),
        403,
        'insufficient_scope',
        'Bearer error="insufficient_scope"',
      );
      const got = await request(a.app).get(`/users/${id}`).set(as(admin.access));
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id, email, isActive: true });
      for (const raw of ['999999', '0', '01', 'abc', '1e3', 'x'.repeat(100)]) {
        expectError(
          await request(a.app).get(`/users/${raw}`).set(as(admin.access)),
          404,
          'user_not_found',
        );
      }
      expectError(
        await request(a.app).patch(`/users/${id}`).set(as(admin.access)).send({ isActive: 'no' }),
        400,
        'validation_failed',
      );
      expectError(
        await request(a.app).patch(`/users/${id}`).set(as(admin.access)).send({ roles: 'admin' }),
        400,
        'validation_failed',
      );
      const promoted = await request(a.app)
        .patch(`/users/${id}`)
        .set(as(admin.access))
        .send({ roles: ['user', 'editor'], isVerified: true });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({ id, roles: ['user', 'editor'], isVerified: true });
    });

    it("deactivation kills the user's tokens at once; admin deletion too (SECURITY 27)", async () => {
      const admin = await signIn(a.app, 'admin@example.com', 'admin-password-1');
      const as = { Authorization: bearer(admin.access) };
      const first = fresh();
      const firstId = await registered(first);
      const t1 = await signIn(a.app, first, 'password-one');
      expect(
        (await request(a.app).patch(`/users/${firstId}`).set(as).send({ isActive: false })).status,
      ).toBe(200);
      expect(await meStatus(a.app, t1.access)).toBe(401);
      expect(
        (await request(a.app).patch(`/users/${firstId}`).set(as).send({ isActive: true })).status,
      ).toBe(200);
      expect(await meStatus(a.app, t1.access)).toBe(401); // reactivation does not revive old tokens
      const second = fresh();
      const secondId = await registered(second);
      const t2 = await signIn(a.app, second, 'password-one');
      expect((await request(a.app).delete(`/users/${secondId}`).set(as)).status).toBe(204);
      expect(await meStatus(a.app, t2.access)).toBe(401);
      expectError(await request(a.app).delete(`/users/${secondId}`).set(as), 404, 'user_not_found');
    });
  });
});
