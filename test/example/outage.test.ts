import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeEngines } from '../support/engines';
import { TcpProxy } from '../support/tcp-proxy';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';

const DATABASE_UNAVAILABLE = {
  name: 'DatabaseUnavailableError',
  code: 'database_unavailable',
  message: 'The database is unavailable.',
};
const LOGGED = '[routing-controllers-auth] DatabaseUnavailableError: The database is unavailable.';
/** The library's register route (the example mounts the ready-made account controllers). */
const AUTH_UNAVAILABLE = {
  name: 'AuthUnavailableError',
  code: 'auth_unavailable',
  message: 'Authentication is temporarily unavailable.',
};
const LOGGED_AUTH =
  '[routing-controllers-auth] AuthUnavailableError: Authentication is temporarily unavailable.';

/** Silences (and records) what the app logs while the database is away. */
function quietConsole() {
  const spies = {
    error: vi.spyOn(console, 'error').mockImplementation(() => undefined),
    warn: vi.spyOn(console, 'warn').mockImplementation(() => undefined),
    log: vi.spyOn(console, 'log').mockImplementation(() => undefined),
  };
  return {
    errors: () => spies.error.mock.calls.map((call) => call[0] as unknown),
    restore: () => {
      for (const spy of Object.values(spies)) spy.mockRestore();
    },
  };
}

// PostgreSQL is cut off under the running example through a loopback proxy, as in
// test/hardening/outage.test.ts; the example's own routes must answer a coded 503, never a 500.
describeEngines(
  'example app: database outage',
  () => {
    const proxy = new TcpProxy('127.0.0.1', 5432);
    const saved = process.env.TEST_POSTGRES_URL;
    let h: ExampleHarness;

    beforeAll(async () => {
      await proxy.up();
      process.env.TEST_POSTGRES_URL = `postgres://postgres@127.0.0.1:${proxy.port}/test`;
      h = await startExample('postgres');
    });
    afterAll(async () => {
      await proxy.up().catch(() => undefined);
      await stopExample(h);
      await proxy.down();
      if (saved === undefined) delete process.env.TEST_POSTGRES_URL;
      else process.env.TEST_POSTGRES_URL = saved;
    });

    it('POST /auth/register (503 auth_unavailable) and GET /health (503 database_unavailable), then recover', async () => {
      const register = (email: string) =>
        request(h.app).post('/auth/register').send({ email, password: 'outage-password-1' });
      expect((await register('before@example.com')).status).toBe(201);

      const quiet = quietConsole();
      try {
        await proxy.down();
        for (const [res, body] of [
          [await register('during@example.com'), AUTH_UNAVAILABLE],
          [await request(h.app).get('/health'), DATABASE_UNAVAILABLE],
        ] as const) {
          expect(res.status).toBe(503);
          expect(res.body).toEqual(body);
          expect(res.text).not.toMatch(/ECONNREFUSED|ECONNRESET|postgres|SELECT|INSERT|at /);
        }
        expect(quiet.errors()).toContain(LOGGED);
        expect(quiet.errors()).toContain(LOGGED_AUTH);

        await proxy.up();
        let status = 0;
        for (let i = 0; i < 50 && status !== 200; i++) {
          status = (await request(h.app).get('/health')).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        expect(status).toBe(200);
      } finally {
        quiet.restore();
      }
      const after = await register('during@example.com');
      expect(after.status).toBe(201);
      expect((after.body as { email: string }).email).toBe('during@example.com');
    });
  },
  ['postgres'],
);

describe('example app: database outage on SQLite', () => {
  it('a destroyed DataSource: register answers 503 auth_unavailable, not 500', async () => {
    const h = await startExample('sqlite');
    const quiet = quietConsole();
    try {
      await h.dataSource.destroy();
      const res = await request(h.app)
        .post('/auth/register')
        .send({ email: 'late@example.com', password: 'late-password-1' });
      expect(res.status).toBe(503);
      expect(res.body).toEqual(AUTH_UNAVAILABLE);
      expect(quiet.errors()).toEqual([LOGGED_AUTH]);
    } finally {
      quiet.restore();
      await stopExample(h);
    }
  });
});
