import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { bearer, me } from '../support/http';
import { TcpProxy } from '../support/tcp-proxy';

// PostgreSQL is cut off through a proxy (a networked server is needed for that); SQLite below loses
// its DataSource. The failure path (driver error → 503) is the same code for every engine.
describeEngines(
  'database outage',
  () => {
    const proxy = new TcpProxy('127.0.0.1', 5432);
    let t: TestApp;
    const saved = process.env.TEST_POSTGRES_URL;

    beforeAll(async () => {
      await proxy.up();
      process.env.TEST_POSTGRES_URL = `postgres://postgres@127.0.0.1:${proxy.port}/test`;
      t = await buildTestApp('postgres');
    });
    afterAll(async () => {
      await proxy.up().catch(() => undefined);
      await t.close();
      await proxy.down();
      if (saved === undefined) delete process.env.TEST_POSTGRES_URL;
      else process.env.TEST_POSTGRES_URL = saved;
    });

    it('answers 503 auth_unavailable while the database is gone, and recovers by itself', async () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        const pair = await t.auth.tokens.createTokenPair(t.users.alice.id);
        const authorization = bearer(pair.accessToken);
        expect((await me(t.app, pair.accessToken)).status).toBe(200);

        await proxy.down();
        const during = [
          await me(t.app, pair.accessToken),
          await request(t.app).get('/t/admin').set('Authorization', authorization),
          await request(t.app)
            .post('/auth/login')
            .send({ email: 'alice@example.com', password: PASSWORDS.alice }),
          await request(t.app)
            .post('/auth/refresh')
            .set('Authorization', bearer(pair.refreshToken)),
          await request(t.app).post('/auth/logout').set('Authorization', authorization),
        ];
        for (const res of during) {
          expect(res.status).toBe(503);
          expect(res.body).toEqual({
            name: 'AuthUnavailableError',
            code: 'auth_unavailable',
            message: 'Authentication is temporarily unavailable.',
          });
          expect(res.text).not.toMatch(/ECONNREFUSED|postgres|SELECT|at /);
        }

        await proxy.up();
        let status = 0;
        for (let i = 0; i < 50 && status !== 200; i++) {
          status = (await me(t.app, pair.accessToken)).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(status).toBe(200);
        // The logout attempted during the outage did not happen: the session is still live.
        const refreshed = await request(t.app)
          .post('/auth/refresh')
          .set('Authorization', bearer(pair.refreshToken));
        expect(refreshed.status).toBe(200);
      } finally {
        errors.mockRestore();
        warnings.mockRestore();
        log.mockRestore();
      }
    });
  },
  ['postgres'],
);

describe('database outage on SQLite', () => {
  it('a destroyed DataSource answers 503, never 200 or a bare 500', async () => {
    const t = await buildTestApp('sqlite');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const pair = await t.auth.tokens.createTokenPair(t.users.alice.id);
      await t.ds.destroy();
      const res = await request(t.app).get('/t/me').set('Authorization', bearer(pair.accessToken));
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        name: 'AuthUnavailableError',
        code: 'auth_unavailable',
        message: 'Authentication is temporarily unavailable.',
      });
    } finally {
      errors.mockRestore();
      await t.close();
    }
  });
});
