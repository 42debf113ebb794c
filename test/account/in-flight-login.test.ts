import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../support/engines';
import { expectError, sidOf } from '../support/http';
import { buildGatedApp, gate, type GatedApp } from './gated';
import { meStatus, signIn } from './support';

const bearer = (token: string): string => `Bearer ${token}`;

describeEngines('a login in flight while the credentials change (pen test F1)', (engine) => {
  let g: GatedApp;
  let serial = 0;
  const fresh = (): string => `inflight${++serial}@example.com`;

  beforeAll(async () => {
    // Two failures per address and IP: a third attempt says whether the raced login counted.
    g = await buildGatedApp(engine, {
      throttle: { perAccountAndIp: 2, perAccount: 1000, perIp: 1000 },
    });
  });
  afterAll(() => g.a.close());

  /**
   * Starts a login of `email` that stops once its password was checked, runs `meanwhile`, lets
   * the login go on and returns its answer.
   */
  async function loginAround(
    email: string,
    password: string,
    meanwhile: () => Promise<void>,
  ): Promise<request.Response> {
    const stop = gate();
    g.bridge.login = stop;
    const answer = g.post('/auth/login', { email, password }).then((res) => res);
    await stop.reached;
    try {
      await meanwhile();
    } finally {
      stop.open();
    }
    return answer;
  }

  describe('F1: a login whose check read the old credentials starts no session', () => {
    it('a password reset during the login: 401 invalid_credentials, no live session, counted as a failure', async () => {
      const email = fresh();
      const user = await g.a.make(email, 'password-old');
      const res = await loginAround(email, 'password-old', async () => {
        expect((await g.post('/auth/forgot-password', { email })).status).toBe(202);
        const token = await g.lastMail(email, 'reset');
        const reset = await g.post('/auth/reset-password', { token, password: 'password-new' });
        expect(reset.status, reset.text).toBe(204);
      });
      expectError(res, 401, 'invalid_credentials', 'Bearer');
      expect(await g.a.auth.tokens.listSessions(user.id)).toEqual([]);
      // The raced login and one wrong password are the pair's two failures: the next is refused.
      expectError(
        await g.post('/auth/login', { email, password: 'password-bad' }),
        401,
        'invalid_credentials',
        'Bearer',
      );
      expectError(
        await g.post('/auth/login', { email, password: 'password-new' }),
        429,
        'too_many_requests',
      );
    });

    it("a password change during the login: the change's 'every other session' includes the login's", async () => {
      const email = fresh();
      const user = await g.a.make(email, 'password-old');
      const mine = await signIn(g.a.app, email, 'password-old');
      const res = await loginAround(email, 'password-old', async () => {
        const change = await request(g.a.app)
          .post('/users/me/password')
          .set('Authorization', bearer(mine.access))
          .send({ current_password: 'password-old', new_password: 'password-new' });
        expect(change.status, change.text).toBe(204);
      });
      expectError(res, 401, 'invalid_credentials', 'Bearer');
      const live = await g.a.auth.tokens.listSessions(user.id);
      expect(live.map((s) => s.id)).toEqual([sidOf(mine.access)]);
      expect(await meStatus(g.a.app, mine.access)).toBe(200);
      await signIn(g.a.app, email, 'password-new');
    });

    it('an address change during the login: only the changing session stays', async () => {
      const email = fresh();
      const next = fresh();
      const user = await g.a.make(email, 'password-one');
      const mine = await signIn(g.a.app, email, 'password-one');
      const res = await loginAround(email, 'password-one', async () => {
        const patch = await request(g.a.app)
          .patch('/users/me')
          .set('Authorization', bearer(mine.access))
          .send({ email: next });
        expect(patch.status, patch.text).toBe(200);
      });
      expectError(res, 401, 'invalid_credentials', 'Bearer');
      const live = await g.a.auth.tokens.listSessions(user.id);
      expect(live.map((s) => s.id)).toEqual([sidOf(mine.access)]);
    });

    it('a deactivation during the login: no session', async () => {
      const email = fresh();
      const user = await g.a.make(email, 'password-one');
      const res = await loginAround(email, 'password-one', async () => {
        const patch = await request(g.a.app)
          .patch(`/users/${user.id}`)
          .set('Authorization', bearer(g.admin))
          .send({ isActive: false });
        expect(patch.status, patch.text).toBe(200);
      });
      expectError(res, 401, 'invalid_credentials', 'Bearer');
      expect(await g.a.auth.tokens.listSessions(user.id)).toEqual([]);
    });

    it('nothing changed during the login: it signs in', async () => {
      const email = fresh();
      const user = await g.a.make(email, 'password-one');
      const res = await loginAround(email, 'password-one', () => Promise.resolve());
      expect(res.status, res.text).toBe(200);
      const { access_token: access } = res.body as { access_token: string };
      expect((await g.a.auth.tokens.listSessions(user.id)).map((s) => s.id)).toEqual([
        sidOf(access),
      ]);
    });
  });
});
