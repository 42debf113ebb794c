import Redis from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { AUTH_ENTITIES, setupAuth, type InvalidationRedis } from '../../src';
import { decodeInvalidations } from '../../src/cache/events';
import { RedisChannel } from '../../src/cache/redis-channel';
import { TEST_SECRET } from '../support/clock';
import { describeEngines } from '../support/engines';
import { TcpProxy } from '../support/tcp-proxy';
import { TestAuth, TestUser } from '../support/users';
import {
  listening,
  me,
  openInstances,
  refusedEventually,
  warm,
  type Instance,
  type Instances,
} from './instances';

// Pen test: the client given as validationCache.redis was the app's throttle client, made to fail
// fast (enableOfflineQueue: false, maxRetriesPerRequest: 1). A PUBLISH during a reconnect of it
// failed at once and was dropped: B kept the logged-out token until maxAgeSeconds (~30 s).
// Here C publishes through a loopback proxy the test cuts; B listens on Redis directly.
describeEngines(
  'validation cache: a revocation published while the publisher reconnects',
  (engine) => {
    const proxy = new TcpProxy('127.0.0.1', 6379);
    let t: Instances;
    let b: Instance;
    let c: Instance;
    let fragile: Redis;

    beforeAll(async () => {
      await proxy.up();
      t = await openInstances(engine);
      b = t.b;
      fragile = new Redis({
        host: '127.0.0.1',
        port: proxy.port,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: () => 50,
      });
      fragile.on('error', () => undefined);
      c = await t.open({ validationCache: { redis: fragile, maxAgeSeconds: 30 } });
      expect(await listening(b.auth)).toBe(true);
      expect(await listening(c.auth)).toBe(true);
    });
    afterAll(async () => {
      await proxy.up().catch(() => undefined);
      await t.close();
      fragile.disconnect();
      await proxy.down();
    });

    it('still reaches the other instances once the connection is back, long before maxAgeSeconds', async () => {
      // C publishes once first, so its publishing connection is open when the proxy is cut.
      const first = await c.auth.tokens.createTokenPair(t.alice.id);
      await request(c.app)
        .post('/auth/logout')
        .set('Authorization', `Bearer ${first.accessToken}`)
        .expect(204);
      expect(await refusedEventually(b, first.accessToken)).toEqual({
        status: 401,
        code: 'token_revoked',
      });

      const pair = await c.auth.tokens.createTokenPair(t.alice.id);
      expect(await warm(b, pair.accessToken)).toBe(0); // B serves it from its cache

      await proxy.down(); // C's connections drop; B's stay
      const out = await request(c.app)
        .post('/auth/logout')
        .set('Authorization', `Bearer ${pair.accessToken}`);
      expect(out.status).toBe(204);
      // The event is queued on C's publisher meanwhile: B still trusts its entry.
      expect(await me(b, pair.accessToken)).toEqual({ status: 200, code: undefined });

      await proxy.up();
      // Within the 5 s refusedEventually allows (maxAgeSeconds is 30 s).
      expect(await refusedEventually(b, pair.accessToken)).toEqual({
        status: 401,
        code: 'token_revoked',
      });
    });

    it('a publishing connection dead without a word (frozen) is made again, and the event goes out', async () => {
      const pair = await c.auth.tokens.createTokenPair(t.alice.id);
      expect(await warm(b, pair.accessToken)).toBe(0);
      proxy.freezeOpen(); // C's open connections carry nothing more; new ones work
      try {
        const out = await request(c.app)
          .post('/auth/logout')
          .set('Authorization', `Bearer ${pair.accessToken}`);
        expect(out.status).toBe(204);
        // Recheck pen test: on the frozen publisher B kept the token until maxAgeSeconds (30 s).
        expect(await refusedEventually(b, pair.accessToken)).toEqual({
          status: 401,
          code: 'token_revoked',
        });
      } finally {
        proxy.thaw();
      }
    });

    it('auth.close() with Redis away closes the publisher within a second: it does not reconnect for ever', async () => {
      const pair = await c.auth.tokens.createTokenPair(t.alice.id);
      await proxy.down();
      await request(c.app)
        .post('/auth/logout')
        .set('Authorization', `Bearer ${pair.accessToken}`)
        .expect(204); // its PUBLISH waits in the publisher's queue
      await c.auth.close();
      fragile.disconnect(); // the app's own client, closed by the app
      await new Promise((r) => setTimeout(r, 1_500));
      await proxy.up();
      const before = proxy.accepted;
      await new Promise((r) => setTimeout(r, 1_000));
      // Recheck pen test: QUIT waited in the offline queue and the publisher kept reconnecting,
      // which held the process open until Redis was back.
      expect(proxy.accepted - before).toBe(0);
    });
  },
  ['mariadb'],
);

/**
 * A real ioredis client (duplicates of `base`) whose next `refusals` PUBLISHes Redis "refuses"
 * (READONLY, as a replica during a failover); `refuse(n)` refuses n more; `opened`, to disconnect.
 */
function refusingRedis(base: Redis, refusals: number) {
  let left = refusals;
  const opened: Redis[] = [];
  const redis: InvalidationRedis = {
    duplicate: (override) => {
      const connection = base.duplicate(override);
      opened.push(connection);
      const publish = connection.publish.bind(connection);
      return Object.assign(connection, {
        publish: (channel: string, message: string) =>
          left-- > 0 ? Promise.reject(new Error('READONLY')) : publish(channel, message),
      });
    },
  };
  return {
    redis,
    opened,
    refuse: (n: number) => {
      left = n;
    },
  };
}

// A PUBLISH that Redis itself refuses (a replica answering READONLY during a failover, OOM): the
// message is sent again until it is through, and the operator is told once. The client is real
// (ioredis on the test Redis); only its publish is made to refuse twice.
describe('RedisChannel: a refused PUBLISH is sent again', () => {
  it('until it is through, saying so once; nothing older than maxAge is sent', async () => {
    const base = new Redis({ host: '127.0.0.1', port: 6379 });
    const listener = new Redis({ host: '127.0.0.1', port: 6379 });
    const name = `rca_republish_${process.pid}`;
    const heard: string[] = [];
    const notices: string[] = [];
    const { redis, opened, refuse } = refusingRedis(base, 2);
    const clock = { ms: 1_000_000 };
    const channel = new RedisChannel(
      redis,
      name,
      30_000,
      () => clock.ms,
      (m) => notices.push(m),
    );
    try {
      await listener.subscribe(name);
      listener.on('message', (_channel, message) => heard.push(message));
      channel.start({ received: () => undefined, up: () => undefined, down: () => undefined });
      await channel.publish([{ kind: 'session', sid: 'one' }]);
      await channel.publish([{ kind: 'session', sid: 'two' }]);
      for (let i = 0; i < 100 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
      expect(heard.map((m) => decodeInvalidations(m))).toEqual([
        [{ kind: 'session', sid: 'one' }],
        [{ kind: 'session', sid: 'two' }],
      ]);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/could not be published on Redis; sending it again/);

      // Refused again, then past maxAge: given up on, never sent. (First let the retry loop that
      // sent "two" finish: the listener hears a message before its sender sees the reply.)
      await new Promise((r) => setTimeout(r, 300));
      refuse(1);
      await channel.publish([{ kind: 'session', sid: 'stale' }]);
      clock.ms += 30_000;
      await new Promise((r) => setTimeout(r, 600));
      expect(heard).toHaveLength(2);
    } finally {
      await channel.close();
      listener.disconnect();
      base.disconnect();
      for (const c of opened) c.disconnect();
    }
  });
});

// Review: RedisChannel called the setup's logWarning unguarded before it kept a refused message,
// so a logger that throws lost the revocation for every other instance until maxAgeSeconds.
describe('validation cache: a logWarning that throws', () => {
  it('changes nothing: a refused PUBLISH is still sent again', async () => {
    const base = new Redis({ host: '127.0.0.1', port: 6379 });
    const listener = new Redis({ host: '127.0.0.1', port: 6379 });
    const name = `rca_throwing_logger_${process.pid}`;
    const heard: string[] = [];
    const { redis, opened } = refusingRedis(base, 1);
    const ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [TestUser, ...AUTH_ENTITIES],
      synchronize: true,
    });
    await ds.initialize();
    const auth = setupAuth({
      dataSource: ds,
      userAuthentication: new TestAuth(ds),
      registerInContainer: false,
      logWarning: () => {
        throw new Error('the logger is broken');
      },
      options: { secretKey: TEST_SECRET, validationCache: { redis, channel: name } },
    });
    try {
      await listener.subscribe(name);
      listener.on('message', (_channel, message) => heard.push(message));
      const { accessToken } = await auth.tokens.createTokenPair(1);
      expect(await auth.tokens.revokeToken(accessToken)).toBe(true);
      for (let i = 0; i < 100 && heard.length < 1; i++) await new Promise((r) => setTimeout(r, 25));
      expect(heard.map((m) => decodeInvalidations(m)?.[0]?.kind)).toEqual(['token']);
    } finally {
      await auth.close();
      await ds.destroy();
      listener.disconnect();
      base.disconnect();
      for (const c of opened) c.disconnect();
    }
  });
});
