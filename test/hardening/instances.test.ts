import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/clock';
import { describeEngines } from '../support/engines';
import { buildExample, startExampleProcess, type ExampleProcess } from '../support/example-process';

interface Pair {
  access_token: string;
  refresh_token: string;
}

async function post(base: string, path: string, init: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
  };
}

async function get(base: string, path: string, token: string) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

async function login(
  base: string,
  email = 'alice@example.com',
  password = 'alice-password-1',
): Promise<Pair> {
  const res = await post(base, '/auth/login', { body: { email, password } });
  expect(res.status).toBe(200);
  return res.body as unknown as Pair;
}

// Several processes of the real example app on ONE PostgreSQL database (and one Redis).
describeEngines(
  'several instances',
  () => {
    const database = `rca_inst_${randomBytes(5).toString('hex')}`;
    const admin = new DataSource({
      type: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      username: 'postgres',
      database: 'test',
    });
    let env: Record<string, string>;
    let a: ExampleProcess;
    let b: ExampleProcess;
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });

    beforeAll(async () => {
      buildExample();
      await admin.initialize();
      await admin.query(`CREATE DATABASE ${database}`);
      env = {
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        AUTH_SECRET_KEY: TEST_SECRET,
        AUTH_BCRYPT_COST: '4',
        REDIS_URL: `redis://127.0.0.1:6379`,
      };
      a = await startExampleProcess(env); // first: creates the tables and seeds
      b = await startExampleProcess(env);
      await redis.connect();
    }, 180_000);

    afterAll(async () => {
      for (const p of [a, b] as (ExampleProcess | undefined)[]) if (p !== undefined) await p.kill();
      const keys = await redis.keys('rca-login*');
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.destroy();
    });

    it('log in on A, log out on B: A refuses the token on the next request', async () => {
      const pair = await login(a.url);
      expect(await get(a.url, '/users/me', pair.access_token)).toBe(200);
      expect((await post(b.url, '/auth/logout', { token: pair.access_token })).status).toBe(204);
      expect(await get(a.url, '/users/me', pair.access_token)).toBe(401);
      expect((await post(a.url, '/auth/refresh', { token: pair.refresh_token })).status).toBe(401);
    });

    it('the same refresh token sent to A and B at once: exactly one succeeds', async () => {
      for (let round = 0; round < 10; round++) {
        const pair = await login(
          round % 2 === 0 ? a.url : b.url,
          'admin@example.com',
          'admin-password-1',
        );
        const results = await Promise.all([
          post(a.url, '/auth/refresh', { token: pair.refresh_token }),
          post(b.url, '/auth/refresh', { token: pair.refresh_token }),
        ]);
        const statuses = results.map((r) => r.status).sort();
        expect(statuses).toEqual([200, 401]);
        const loser = results.find((r) => r.status === 401);
        expect(['refresh_token_reused', 'token_revoked']).toContain(loser?.body?.code);
      }
    });

    it('the login throttle holds across processes with the Redis store', async () => {
      const email = `nobody-${randomBytes(3).toString('hex')}@example.com`;
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const target = i % 2 === 0 ? a.url : b.url;
        statuses.push(
          (await post(target, '/auth/login', { body: { email, password: 'wrong-password' } }))
            .status,
        );
      }
      expect(statuses).toEqual(Array(10).fill(401));
      expect(
        (await post(a.url, '/auth/login', { body: { email, password: 'wrong-password' } })).status,
      ).toBe(429);
      expect(
        (await post(b.url, '/auth/login', { body: { email, password: 'wrong-password' } })).status,
      ).toBe(429);
    });

    it('kill -9 in the middle of a refresh loop: no refresh token has two live successors', async () => {
      const sessions = await Promise.all(
        Array.from({ length: 6 }, () => login(b.url, 'admin@example.com', 'admin-password-1')),
      );
      const current = sessions.map((p) => p.refresh_token);
      let stop = false;
      let rotations = 0;
      const errors: number[] = [];
      const loops = current.map(async (_token, i) => {
        while (!stop) {
          const res = await post(a.url, '/auth/refresh', { token: current[i] }).catch(() => null);
          if (res === null) return; // the process died under us
          if (res.status === 200) {
            current[i] = (res.body as unknown as Pair).refresh_token;
            rotations++;
          } else errors.push(res.status);
        }
      });
      await new Promise((r) => setTimeout(r, 400));
      await a.kill();
      stop = true;
      await Promise.all(loops);
      expect(rotations).toBeGreaterThan(6); // the loop was really running when the process died
      expect(errors.filter((s) => s >= 500)).toEqual([]);

      a = await startExampleProcess(env);
      // In the store: at most one live refresh token per session, and every rotated token's successor exists.
      const ds = new DataSource({ type: 'postgres', url: env.DATABASE_URL });
      await ds.initialize();
      try {
        const twins = await ds.query<unknown[]>(
          `SELECT session_id FROM auth_tokens WHERE type = 'refresh' AND revoked_at IS NULL
           GROUP BY session_id HAVING COUNT(*) > 1`,
        );
        expect(twins).toEqual([]);
        const orphans = await ds.query<unknown[]>(
          `SELECT t.jti FROM auth_tokens t LEFT JOIN auth_tokens n ON n.jti = t.replaced_by
           WHERE t.replaced_by IS NOT NULL AND n.jti IS NULL`,
        );
        expect(orphans).toEqual([]);
      } finally {
        await ds.destroy();
      }
      // Every token the clients hold is either accepted (once) or refused with a coded 401.
      for (const token of current) {
        const res = await post(a.url, '/auth/refresh', { token });
        expect([200, 401]).toContain(res.status);
        if (res.status === 401) expect(typeof res.body?.code).toBe('string');
      }
    });
  },
  ['postgres'],
);
