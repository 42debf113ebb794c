import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAuthConfig, type AuthOptions } from '../../src';
import { TEST_SECRET } from '../support/clock';
import { expectError } from '../support/http';
import { describeEngines } from '../support/engines';
import { buildAccountApp, comparableHeaders, signIn, type AccountApp } from './support';

const register = (a: AccountApp, email: string, password: string) =>
  request(a.app).post('/auth/register').send({ email, password });

describeEngines('enumeration-safe registration', (engine) => {
  describe('enumerationSafeRegistration: true', () => {
    let a: AccountApp;
    beforeAll(async () => {
      a = await buildAccountApp(engine, {
        enumerationSafeRegistration: true,
        passwordQueueLimit: 100,
        throttle: false,
      });
    });
    afterAll(() => a.close());

    it('202 with the same status, empty body and headers for a new and a taken address', async () => {
      const owner = await a.make('owner@example.com', 'owner-password-1');
      const fresh = await register(a, 'newcomer@example.com', 'password-one');
      const taken = await register(a, 'owner@example.com', 'password-two');
      const respelled = await register(a, ' OWNER@Example.com ', 'password-three');
      for (const res of [fresh, taken, respelled]) {
        expect({ status: res.status, text: res.text }).toEqual({ status: 202, text: '' });
        expect(comparableHeaders(res)).toEqual(comparableHeaders(fresh));
      }
      // The new address is a user that can sign in; the taken one is untouched and told by mail.
      await signIn(a.app, 'newcomer@example.com', 'password-one');
      await signIn(a.app, 'owner@example.com', 'owner-password-1');
      for (const password of ['password-two', 'password-three']) {
        const res = await request(a.app)
          .post('/auth/login')
          .send({ email: 'owner@example.com', password });
        expect(res.status).toBe(401);
      }
      expect(await a.mails('owner@example.com', 'already-registered')).toEqual([
        { to: 'owner@example.com', kind: 'already-registered', userId: String(owner.id) },
        { to: 'owner@example.com', kind: 'already-registered', userId: String(owner.id) },
      ]);
      expect(await a.mails('newcomer@example.com', 'already-registered')).toEqual([]);
      expect(a.outbox.filter((m) => m.to === 'newcomer@example.com')).toEqual([]);
      expect(await a.repo.countBy({ email: 'owner@example.com' })).toBe(1);
      expect(await a.repo.countBy({ email: 'newcomer@example.com' })).toBe(1);
    });

    it('20 parallel registrations of one new address: 20 × 202, one user', async () => {
      const email = 'racer@example.com';
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          register(a, i % 2 ? email.toUpperCase() : email, 'password-one'),
        ),
      );
      expect(answers.map((r) => [r.status, r.text])).toEqual(Array(20).fill([202, '']));
      expect(await a.repo.countBy({ email })).toBe(1);
    });

    it('a bad body is still a coded 400', async () => {
      expectError(await register(a, 'nobody', 'password-one'), 400, 'validation_failed');
      expectError(await register(a, 'x@example.com', 'short'), 400, 'validation_failed');
    });
  });

  describe('AUTH_ENUMERATION_SAFE_REGISTRATION and the default', () => {
    const apps: AccountApp[] = [];
    afterAll(() => Promise.all(apps.map((a) => a.close())));

    async function takenAnswer(
      options: AuthOptions,
      env: Record<string, string>,
    ): Promise<request.Response> {
      // NODE_ENV=test lets the suite's bcrypt cost 4 through, as in process.env.
      const a = await buildAccountApp(engine, options, { env: { NODE_ENV: 'test', ...env } });
      apps.push(a);
      await a.make('owner@example.com', 'owner-password-1');
      const res = await register(a, 'owner@example.com', 'password-two');
      expect(await a.repo.countBy({ email: 'owner@example.com' })).toBe(1);
      return res;
    }

    it('the env var turns it on: 202 for a taken address', async () => {
      for (const value of ['true', '1', 'on']) {
        const res = await takenAnswer({}, { AUTH_ENUMERATION_SAFE_REGISTRATION: value });
        expect({ value, status: res.status, text: res.text }).toEqual({
          value,
          status: 202,
          text: '',
        });
      }
    });

    it('default, env "false", or the option false over env "true": 409 email_taken', async () => {
      expectError(await takenAnswer({}, {}), 409, 'email_taken');
      expectError(
        await takenAnswer({}, { AUTH_ENUMERATION_SAFE_REGISTRATION: 'false' }),
        409,
        'email_taken',
      );
      expectError(
        await takenAnswer(
          { enumerationSafeRegistration: false },
          { AUTH_ENUMERATION_SAFE_REGISTRATION: 'true' },
        ),
        409,
        'email_taken',
      );
    });

    it('a value the env var does not know fails setup, naming it', () => {
      expect(() =>
        resolveAuthConfig(
          { secretKey: TEST_SECRET },
          { AUTH_ENUMERATION_SAFE_REGISTRATION: 'maybe' },
        ),
      ).toThrow(/AUTH_ENUMERATION_SAFE_REGISTRATION: "maybe" is not a boolean/);
    });
  });
});
