import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { expectError } from '../support/http';
import { describeEngines } from '../support/engines';
import { buildAccountApp, comparableHeaders, signIn, type AccountApp } from './support';

/** Small limits, so a suite reaches each one in a few requests. */
const LIMITS = { perAccountAndIp: 3, perAccount: 5, perIp: 8, windowSeconds: 900 };
const MINUTE = 60_000;
const IP1 = '198.51.100.1';
const IP2 = '198.51.100.2';
const IP3 = '198.51.100.3';

/** A 429 as every throttled account route answers it: coded, with the window's rest as Retry-After. */
function expectThrottled(res: request.Response): void {
  expectError(res, 429, 'too_many_requests');
  expect(res.headers['retry-after']).toBe(String(LIMITS.windowSeconds));
}

describeEngines('account flows throttling', (engine) => {
  const apps: AccountApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  async function app(): Promise<AccountApp> {
    const a = await buildAccountApp(engine, { throttle: LIMITS });
    a.app.set('trust proxy', 'loopback'); // X-Forwarded-For from the test client decides req.ip
    apps.push(a);
    return a;
  }

  const post = (a: AccountApp, ip: string, path: string, body: object) =>
    request(a.app).post(path).set('X-Forwarded-For', ip).send(body);

  /** Statuses of `n` requests of `path` for `email` from `ip`. */
  async function statuses(a: AccountApp, ip: string, path: string, email: string, n: number) {
    const seen: number[] = [];
    for (let i = 0; i < n; i++) seen.push((await post(a, ip, path, { email })).status);
    return seen;
  }

  for (const path of ['/auth/forgot-password', '/auth/request-verify-token']) {
    describe(path, () => {
      it('per address and IP: the 4th request → 429 with Retry-After, identical for a known and an unknown address; no mail while throttled', async () => {
        const a = await app();
        await a.make('known@example.com', 'password-one');
        expect(await statuses(a, IP1, path, 'known@example.com', 3)).toEqual([202, 202, 202]);
        expect(await statuses(a, IP1, path, 'unknown@example.com', 3)).toEqual([202, 202, 202]);
        const known = await post(a, IP1, path, { email: 'known@example.com' });
        const unknown = await post(a, IP1, path, { email: 'unknown@example.com' });
        expectThrottled(known);
        expectThrottled(unknown);
        expect(unknown.text).toBe(known.text);
        expect(comparableHeaders(unknown)).toEqual(comparableHeaders(known));
        const kind = path === '/auth/forgot-password' ? 'reset' : 'verify';
        expect((await a.mails('known@example.com', kind)).length).toBe(3);
      });

      it('another address from that IP, and that address from another IP, are still served', async () => {
        const a = await app();
        await a.make('known@example.com', 'password-one');
        await statuses(a, IP1, path, 'known@example.com', 3);
        expectThrottled(await post(a, IP1, path, { email: 'known@example.com' }));
        expect((await post(a, IP1, path, { email: 'other@example.com' })).status).toBe(202);
        expect((await post(a, IP2, path, { email: 'known@example.com' })).status).toBe(202);
        const kind = path === '/auth/forgot-password' ? 'reset' : 'verify';
        expect((await a.mails('known@example.com', kind)).length).toBe(4);
      });

      it('per address from every IP: past 5 → 429 from a fresh IP; per IP: past 8 → 429 for any address', async () => {
        const a = await app();
        await statuses(a, IP1, path, 'target@example.com', 3);
        await statuses(a, IP2, path, 'target@example.com', 2);
        expectThrottled(await post(a, IP3, path, { email: 'target@example.com' }));
        expect((await post(a, IP3, path, { email: 'someone@example.com' })).status).toBe(202);
        // IP1 has 3 charged; 5 more addresses reach its limit of 8.
        for (let i = 0; i < 5; i++) {
          expect((await post(a, IP1, path, { email: `spray${i}@example.com` })).status).toBe(202);
        }
        expectThrottled(await post(a, IP1, path, { email: 'fresh@example.com' }));
      });

      it('the window ends: served again after it', async () => {
        const a = await app();
        await statuses(a, IP1, path, 'known@example.com', 3);
        expectThrottled(await post(a, IP1, path, { email: 'known@example.com' }));
        a.clock.advance(LIMITS.windowSeconds * 1000 + MINUTE);
        expect((await post(a, IP1, path, { email: 'known@example.com' })).status).toBe(202);
      });
    });
  }

  it('forgot-password and request-verify-token count on the same counters of an address', async () => {
    const a = await app();
    await statuses(a, IP1, '/auth/forgot-password', 'known@example.com', 2);
    await statuses(a, IP1, '/auth/request-verify-token', 'known@example.com', 1);
    expectThrottled(await post(a, IP1, '/auth/forgot-password', { email: 'known@example.com' }));
    expectThrottled(
      await post(a, IP1, '/auth/request-verify-token', { email: 'known@example.com' }),
    );
  });

  describe('/auth/reset-password', () => {
    it('per IP: after 3 bad tokens the 4th request → 429, a good token too, and it is not spent', async () => {
      const a = await app();
      await a.make('known@example.com', 'password-one');
      await post(a, IP2, '/auth/forgot-password', { email: 'known@example.com' });
      const [mail] = await a.mails('known@example.com', 'reset');
      const good = { token: mail?.token ?? '', password: 'password-two' };
      for (let i = 0; i < 3; i++) {
        expectError(
          await post(a, IP1, '/auth/reset-password', {
            token: `bad-${i}`,
            password: 'password-two',
          }),
          400,
          'invalid_reset_token',
        );
      }
      expectThrottled(await post(a, IP1, '/auth/reset-password', good));
      // Another IP is served: its bad token is a 400, and the good one still works.
      expectError(
        await post(a, IP3, '/auth/reset-password', { token: 'bad', password: 'password-two' }),
        400,
        'invalid_reset_token',
      );
      expect((await post(a, IP2, '/auth/reset-password', good)).status).toBe(204);
      await signIn(a.app, 'known@example.com', 'password-two');
    });

    it('a bad body is a 400 before the throttle: it costs nothing', async () => {
      const a = await app();
      for (let i = 0; i < 5; i++) {
        expectError(
          await post(a, IP1, '/auth/reset-password', { token: 'x', password: 'short' }),
          400,
          'validation_failed',
        );
      }
      expectError(
        await post(a, IP1, '/auth/reset-password', { token: 'bad', password: 'password-two' }),
        400,
        'invalid_reset_token',
      );
    });
  });

  describe('the password check of POST /users/me/password and DELETE /users/me', () => {
    async function signedIn(a: AccountApp): Promise<string> {
      await a.make('me@example.com', 'password-one');
      return (await signIn(a.app, 'me@example.com', 'password-one')).access;
    }
    const change = (a: AccountApp, ip: string, access: string, current: string) =>
      request(a.app)
        .post('/users/me/password')
        .set('X-Forwarded-For', ip)
        .set('Authorization', `Bearer ${access}`)
        .send({ current_password: current, new_password: 'password-new' });
    const remove = (a: AccountApp, ip: string, access: string, password: string) =>
      request(a.app)
        .delete('/users/me')
        .set('X-Forwarded-For', ip)
        .set('Authorization', `Bearer ${access}`)
        .send({ password });

    it('change password: 3 wrong → 400 each, then 429 even with the right password; login is locked too; another IP may change it', async () => {
      const a = await app();
      const access = await signedIn(a);
      for (let i = 0; i < 3; i++) {
        expectError(await change(a, IP1, access, 'wrong-password'), 400, 'invalid_password');
      }
      expectThrottled(await change(a, IP1, access, 'password-one'));
      expectThrottled(
        await post(a, IP1, '/auth/login', { email: 'me@example.com', password: 'password-one' }),
      );
      expect((await change(a, IP2, access, 'password-one')).status).toBe(204);
      await signIn(a.app, 'me@example.com', 'password-new');
    });

    it('delete account: 3 wrong → 400 each, then 429 even with the right password and the user stays; another IP may delete it', async () => {
      const a = await app();
      const access = await signedIn(a);
      for (let i = 0; i < 3; i++) {
        expectError(await remove(a, IP1, access, 'wrong-password'), 400, 'invalid_password');
      }
      expectThrottled(await remove(a, IP1, access, 'password-one'));
      expect(await a.repo.countBy({ email: 'me@example.com' })).toBe(1);
      expect((await remove(a, IP2, access, 'password-one')).status).toBe(204);
      expect(await a.repo.countBy({ email: 'me@example.com' })).toBe(0);
    });

    it('failed logins count against them too: the same counters as login', async () => {
      const a = await app();
      const access = await signedIn(a);
      for (let i = 0; i < 3; i++) {
        const res = await post(a, IP1, '/auth/login', {
          email: 'me@example.com',
          password: 'wrong-password',
        });
        expect(res.status).toBe(401);
      }
      expectThrottled(await change(a, IP1, access, 'password-one'));
      expectThrottled(await remove(a, IP1, access, 'password-one'));
    });
  });
});
