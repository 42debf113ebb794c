import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/clock';
import { describeEngines } from '../support/engines';
import { claimsOf } from '../support/forge';
import { buildExample, startExampleProcess, type ExampleProcess } from '../support/example-process';

async function call(base: string, path: string, token: string, method = 'GET'): Promise<number> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  return res.status;
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'alice@example.com', password: 'alice-password-1' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

// The real example, two processes on one PostgreSQL database with AUTH_VALIDATION_CACHE=on:
// through LISTEN/NOTIFY, and through Redis when REDIS_URL is set.
describeEngines(
  'the example with the validation cache',
  () => {
    const database = `rca_cache_${randomBytes(5).toString('hex')}`;
    const url = `postgres://postgres@127.0.0.1:5432/${database}`;
    const admin = new DataSource({
      type: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5432/test',
    });
    const db = new DataSource({ type: 'postgres', url });
    const processes: ExampleProcess[] = [];

    beforeAll(async () => {
      buildExample();
      await admin.initialize();
      await admin.query(`CREATE DATABASE ${database}`);
    }, 180_000);
    afterAll(async () => {
      for (const p of processes) await p.kill();
      if (db.isInitialized) await db.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.destroy();
    });

    for (const channel of ['LISTEN/NOTIFY', 'Redis'] as const) {
      it(`B answers a hot token from memory, and refuses it once A revoked the user (${channel})`, async () => {
        const env: Record<string, string> = {
          DATABASE_URL: url,
          AUTH_SECRET_KEY: TEST_SECRET,
          AUTH_BCRYPT_COST: '4',
          AUTH_VALIDATION_CACHE: 'on',
          AUTH_VALIDATION_CACHE_CHANNEL: `rca_example_${randomBytes(4).toString('hex')}`,
          ...(channel === 'Redis' ? { REDIS_URL: 'redis://127.0.0.1:6379' } : {}),
        };
        // On Redis, the test listens too: the event must travel there, not by NOTIFY.
        const heard: unknown[] = [];
        const listener =
          channel === 'Redis' ? new Redis({ host: '127.0.0.1', port: 6379 }) : undefined;
        if (listener !== undefined) {
          listener.on('message', (_channel: string, message: string) => {
            heard.push(JSON.parse(message));
          });
          await listener.subscribe(env.AUTH_VALIDATION_CACHE_CHANNEL ?? '');
        }
        const a = await startExampleProcess(env);
        processes.push(a);
        const b = await startExampleProcess(env);
        processes.push(b);
        if (!db.isInitialized) await db.initialize();

        const cached = await login(a.url);
        const other = await login(a.url);
        // B's LISTEN connects in the background: ask until it keeps the token (bounded).
        let hot = false;
        for (let i = 0; i < 100 && !hot; i++) {
          expect(await call(b.url, '/users/me', cached)).toBe(200);
          const probe = await login(a.url);
          expect(await call(b.url, '/users/me', probe)).toBe(200);
          // Revoked behind the library's back (no event): only a cache still answers 200.
          const { jti } = claimsOf(probe).payload as { jti: string };
          await db.query('UPDATE auth_tokens SET revoked_at = $1 WHERE jti = $2', [
            Date.now(),
            jti,
          ]);
          hot = (await call(b.url, '/users/me', probe)) === 200;
          if (!hot) await new Promise((r) => setTimeout(r, 50));
        }
        expect(hot).toBe(true);
        expect(await call(b.url, '/users/me', cached)).toBe(200);

        // Through the library: log out everywhere on A (another session of the same user).
        expect(await call(a.url, '/auth/logout-all', other, 'POST')).toBe(204);
        let status = await call(b.url, '/users/me', cached);
        for (let i = 0; i < 200 && status === 200; i++) {
          await new Promise((r) => setTimeout(r, 25));
          status = await call(b.url, '/users/me', cached);
        }
        expect(status).toBe(401);
        const sub = (claimsOf(other).payload as { sub: string }).sub;
        if (listener !== undefined) {
          const event = JSON.stringify([{ kind: 'user', sub }]);
          const found = () => heard.some((m) => JSON.stringify(m) === event);
          for (let i = 0; i < 200 && !found(); i++) await new Promise((r) => setTimeout(r, 25));
          expect(heard).toContainEqual([{ kind: 'user', sub }]);
          listener.disconnect();
        }
        for (const p of [a, b]) await p.kill();
      }, 120_000);
    }
  },
  ['postgres'],
);
