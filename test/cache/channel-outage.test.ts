import Redis from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { AuthOptions } from '../../src';
import { describeEngines } from '../support/engines';
import { TcpProxy } from '../support/tcp-proxy';
import { listening, me, openInstances, warm, type Instance, type Instances } from './instances';

const OK = { status: 200, code: undefined };

// B's channel runs through a loopback proxy that the test cuts: on PostgreSQL its LISTEN
// connection (`listenUrl`), on MariaDB its Redis connections. A and both DataSources stay up.
describeEngines(
  'validation cache while its channel is down',
  (engine) => {
    const proxy = new TcpProxy('127.0.0.1', engine === 'postgres' ? 5432 : 6379);
    let t: Instances;
    let a: Instance;
    let b: Instance;
    let redis: Redis | undefined;

    beforeAll(async () => {
      await proxy.up();
      t = await openInstances(engine);
      a = t.a;
      let channel: AuthOptions['validationCache'];
      if (engine === 'postgres') {
        channel = { listenUrl: `postgres://postgres@127.0.0.1:${proxy.port}/test` };
      } else {
        redis = new Redis({
          host: '127.0.0.1',
          port: proxy.port,
          maxRetriesPerRequest: 1,
          retryStrategy: () => 50,
        });
        redis.on('error', () => undefined);
        channel = { redis };
      }
      b = await t.open({ validationCache: channel });
      expect(await listening(a.auth)).toBe(true);
      expect(await listening(b.auth)).toBe(true);
    });
    afterAll(async () => {
      await proxy.up().catch(() => undefined);
      await t.close();
      redis?.disconnect();
      await proxy.down();
    });

    it('bypasses the cache while down, refuses what was revoked meanwhile, and is used again after reconnect', async () => {
      const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        const login = () => a.auth.tokens.createTokenPair(t.alice.id);
        const revoked = await login();
        const kept = await login();
        expect(await warm(b, revoked.accessToken)).toBe(0);
        expect(await warm(b, kept.accessToken)).toBe(0);

        await proxy.down();
        expect(await listening(b.auth, false)).toBe(true);
        expect(b.auth.status().validationCache).toMatchObject({ listening: false, entries: 0 });
        const kind = engine === 'postgres' ? 'postgres' : 'redis';
        expect(b.auth.status().problems).toContain(
          `The validation cache's ${kind} channel is not listening: every request goes to the store until it is back.`,
        );

        // Meanwhile A revokes: B cannot hear it, and must not need to.
        const out = await request(a.app)
          .post('/auth/logout')
          .set('Authorization', `Bearer ${revoked.accessToken}`);
        expect(out.status).toBe(204);
        for (const instance of [a, b]) {
          expect(await me(instance, revoked.accessToken)).toEqual({
            status: 401,
            code: 'token_revoked',
          });
        }
        // Bypassed: every request asks the store, and nothing is kept.
        const bypassedBefore = b.auth.status().validationCache?.bypassed ?? NaN;
        for (let i = 0; i < 2; i++) {
          b.counter.reset();
          expect(await me(b, kept.accessToken)).toEqual(OK);
          expect(b.storeQueries()).toBe(1);
        }
        expect(b.auth.status().validationCache).toMatchObject({
          entries: 0,
          bypassed: bypassedBefore + 2,
        });
        // The operator is told once, however often the channel retries meanwhile.
        const said = () => warnings.mock.calls.map((call) => String(call[0]));
        const down = `[routing-controllers-auth] validation cache: the ${kind} channel is not listening; every request goes to the store until it is back.`;
        expect(said().filter((m) => m === down)).toHaveLength(1);

        await proxy.up();
        expect(await listening(b.auth)).toBe(true);
        expect(said()).toContain(
          `[routing-controllers-auth] validation cache: the ${kind} channel listens again (cache emptied).`,
        );
        expect(said().filter((m) => m === down)).toHaveLength(1);
        expect(b.auth.status().problems).toEqual([
          'Auth cookies are not Secure: acceptable only on http://localhost.',
        ]);
        expect(await me(b, revoked.accessToken)).toEqual({ status: 401, code: 'token_revoked' });
        // Used again: the first request fills it, the next costs no query.
        expect(await warm(b, kept.accessToken)).toBe(0);
        // And it hears A again.
        await request(a.app)
          .post('/auth/logout')
          .set('Authorization', `Bearer ${kept.accessToken}`)
          .expect(204);
        let last = await me(b, kept.accessToken);
        for (let i = 0; i < 200 && last.status === 200; i++) {
          await new Promise((r) => setTimeout(r, 25));
          last = await me(b, kept.accessToken);
        }
        expect(last).toEqual({ status: 401, code: 'token_revoked' });
      } finally {
        warnings.mockRestore();
      }
    });

    it('a hung channel (connection open, nothing flowing) is found by the heartbeat and bypassed', async () => {
      const warnings = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        const pair = await a.auth.tokens.createTokenPair(t.alice.id);
        expect(await warm(b, pair.accessToken)).toBe(0);
        proxy.freeze();
        // The heartbeat runs every 5 s and waits 2 s for its answer: allow 15 s.
        expect(await listening(b.auth, false, 600)).toBe(true);
        expect(await a.auth.tokens.revokeSession(pair.sessionId)).toBe(true);
        expect(await me(b, pair.accessToken)).toEqual({ status: 401, code: 'token_revoked' });
        proxy.thaw();
        expect(await listening(b.auth, true, 600)).toBe(true);
        const next = await a.auth.tokens.createTokenPair(t.alice.id);
        expect(await warm(b, next.accessToken)).toBe(0);
      } finally {
        proxy.thaw();
        warnings.mockRestore();
      }
    }, 40_000);
  },
  ['postgres', 'mariadb'],
);
