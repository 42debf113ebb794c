import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ENTITIES, resolveAuthConfig, setupAuth } from '../../src';
import { TEST_SECRET } from '../support/clock';
import { configError } from '../support/config-error';
import { closeDataSource, describeEngines, openDataSource } from '../support/engines';
import { DataSource } from 'typeorm';
import { PostgresChannel } from '../../src/cache/postgres-channel';
import { TestAuth, TestUser } from '../support/users';
import { listening, me, openInstances, warm, type Instances } from './instances';

describe('validationCache options', () => {
  const resolve = (options: object, env: Record<string, string> = {}) =>
    resolveAuthConfig({ secretKey: TEST_SECRET, ...options }, env).validationCache;
  const DEFAULTS = {
    size: 10_000,
    maxAgeSeconds: 30,
    redis: undefined,
    channel: 'rca_invalidations',
    listenUrl: undefined,
  };

  it('is off by default, and on with true, an object or AUTH_VALIDATION_CACHE=on', () => {
    expect(resolve({})).toBe(null);
    expect(resolve({ validationCache: false }, { AUTH_VALIDATION_CACHE: 'on' })).toBe(null);
    expect(resolve({ validationCache: true })).toEqual(DEFAULTS);
    expect(resolve({ validationCache: {} })).toEqual(DEFAULTS);
    expect(resolve({}, { AUTH_VALIDATION_CACHE: 'on' })).toEqual(DEFAULTS);
    expect(resolve({}, { AUTH_VALIDATION_CACHE: 'off' })).toBe(null);
  });

  it('reads its environment variables; options win over them', () => {
    const env = {
      AUTH_VALIDATION_CACHE: 'on',
      AUTH_VALIDATION_CACHE_SIZE: '500',
      AUTH_VALIDATION_CACHE_MAX_AGE_SECONDS: '2.5',
      AUTH_VALIDATION_CACHE_CHANNEL: 'app_revocations',
      AUTH_VALIDATION_CACHE_LISTEN_URL: 'postgres://listener@db.internal:5432/app',
    };
    expect(resolve({}, env)).toEqual({
      size: 500,
      maxAgeSeconds: 2.5,
      redis: undefined,
      channel: 'app_revocations',
      listenUrl: 'postgres://listener@db.internal:5432/app',
    });
    expect(resolve({ validationCache: { size: 7 } }, env)).toMatchObject({ size: 7 });
  });

  it('refuses wrong values, naming the key', () => {
    const cases: [object, string][] = [
      [{ validationCache: { size: 0 } }, 'validationCache.size'],
      [{ validationCache: { size: 1.5 } }, 'validationCache.size'],
      [{ validationCache: { maxAgeSeconds: 0 } }, 'validationCache.maxAgeSeconds'],
      [{ validationCache: { maxAgeSeconds: 3601 } }, 'validationCache.maxAgeSeconds'],
      [{ validationCache: { channel: 'has-dash' } }, 'validationCache.channel'],
      [{ validationCache: { channel: 'x'.repeat(64) } }, 'validationCache.channel'],
      [{ validationCache: { redis: { get: () => 1 } } }, 'validationCache.redis'],
      [{ validationCache: 'yes' }, 'validationCache'],
      [{ validationCache: { sise: 10 } }, 'validationCache.sise'],
    ];
    for (const [options, key] of cases) {
      expect(configError(() => resolve(options)).key).toBe(key);
    }
    expect(configError(() => resolve({ validationCache: { sise: 10 } })).message).toContain(
      'Did you mean "validationCache.size"?',
    );
    expect(configError(() => resolve({}, { AUTH_VALIDATION_CACHE: 'maybe' })).key).toBe(
      'AUTH_VALIDATION_CACHE',
    );
  });
});

describeEngines(
  'validation cache on MariaDB',
  () => {
    let ds: Awaited<ReturnType<typeof openDataSource>>;
    beforeAll(async () => {
      ds = await openDataSource('mariadb', { entities: [TestUser, ...AUTH_ENTITIES] });
    });
    afterAll(() => closeDataSource(ds));

    it('without Redis is refused at setup: it has no channel to tell other instances', () => {
      const error = configError(() =>
        setupAuth({
          dataSource: ds,
          userAuthentication: new TestAuth(ds),
          registerInContainer: false,
          options: { secretKey: TEST_SECRET, validationCache: true },
        }),
      );
      expect(error.key).toBe('validationCache.redis');
      expect(error.message).toBe(
        'validationCache.redis: the validation cache needs an invalidation channel, and mysql has ' +
          'none of its own: give validationCache: { redis } (an ioredis client) so every instance ' +
          'hears of every revocation, or turn the cache off.',
      );
    });

    it('with Redis it sets up and listens (the cross-instance tests run on it)', async () => {
      const redis = new Redis({ host: '127.0.0.1', port: 6379 });
      const auth = setupAuth({
        dataSource: ds,
        userAuthentication: new TestAuth(ds),
        registerInContainer: false,
        options: { secretKey: TEST_SECRET, validationCache: { redis } },
      });
      try {
        expect(await listening(auth)).toBe(true);
        expect(auth.status().validationCache).toEqual({
          channel: 'redis',
          listening: true,
          entries: 0,
          hits: 0,
          misses: 0,
          bypassed: 0,
        });
      } finally {
        await auth.close();
        redis.disconnect();
      }
      expect(auth.status().validationCache?.listening).toBe(false);
    });
  },
  ['mariadb'],
);

// Pen test: AUTH_VALIDATION_CACHE=on, no Redis, two processes on one SQLite file: the in-process
// bus cannot reach the other, which kept a logged-out token 30 s, and nothing said so.
describe('validation cache on a SQLite file, without Redis', () => {
  const setupWith = async (database: string) => {
    const ds = new DataSource({
      type: 'better-sqlite3',
      database,
      entities: [TestUser, ...AUTH_ENTITIES],
      synchronize: true,
    });
    await ds.initialize();
    const warnings: string[] = [];
    const auth = setupAuth({
      dataSource: ds,
      userAuthentication: new TestAuth(ds),
      registerInContainer: false,
      logWarning: (message) => warnings.push(message),
      options: { secretKey: TEST_SECRET, validationCache: { maxAgeSeconds: 12 } },
    });
    await auth.close();
    await ds.destroy();
    return warnings;
  };

  it('says at setup that revocations reach only this process, and how long another may trust a token', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rca-local-'));
    try {
      const file = path.join(dir, 'app.sqlite');
      expect(await setupWith(file)).toEqual([
        `validation cache on the SQLite file ${file}: revocations reach only this process. ` +
          'If another process serves the same file, give validationCache.redis: until then it ' +
          'may accept a revoked token for up to 12 s.',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says nothing for an in-memory database (no other process can open it)', async () => {
    expect(await setupWith(':memory:')).toEqual([]);
  });
});

// A message on the channel that this version cannot read may be a revocation: the cache empties.
describeEngines(
  'an unreadable invalidation',
  (engine) => {
    let t: Instances;
    beforeAll(async () => {
      t = await openInstances(engine);
      expect(await listening(t.b.auth)).toBe(true);
    });
    afterAll(() => t.close());

    it('empties the cache of every listener', async () => {
      const { accessToken } = await t.a.auth.tokens.createTokenPair(t.alice.id);
      expect(await warm(t.b, accessToken)).toBe(0);
      expect(t.b.auth.status().validationCache?.entries).toBe(1);
      const channel = t.b.auth.config.validationCache?.channel ?? '';
      if (engine === 'postgres') {
        await t.a.ds.query('SELECT pg_notify($1, $2)', [channel, '{"kind":"token","jti":1}']);
      } else {
        const redis = t.redis[0];
        if (redis === undefined) throw new Error('no redis client');
        await redis.publish(channel, 'not json');
      }
      let entries = t.b.auth.status().validationCache?.entries;
      for (let i = 0; i < 200 && entries !== 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
        entries = t.b.auth.status().validationCache?.entries;
      }
      expect(entries).toBe(0);
    });
  },
  ['postgres', 'mariadb'],
);

// Pen test: a listenUrl on another database than the DataSource's said "listening" and trusted
// the cache, though NOTIFY reaches only its own database: B kept a logged-out token 30 s.
describeEngines(
  'a LISTEN connection that cannot hear the DataSource',
  (engine) => {
    let t: Instances;
    beforeAll(async () => {
      t = await openInstances(engine);
    });
    afterAll(() => t.close());

    it('never counts as listening, so the cache stays bypassed (strict)', async () => {
      const elsewhere = await t.open({
        validationCache: { listenUrl: 'postgres://postgres@127.0.0.1:5432/postgres' },
      });
      // The right database listens within this time (the other instances here did).
      expect(await listening(t.b.auth)).toBe(true);
      expect(await listening(elsewhere.auth, true, 80)).toBe(false);
      const { accessToken } = await t.a.auth.tokens.createTokenPair(t.alice.id);
      for (let i = 0; i < 3; i++) {
        elsewhere.counter.reset();
        const res = await me(elsewhere, accessToken);
        expect(res.status).toBe(200);
        expect(elsewhere.storeQueries()).toBe(1);
      }
      expect(elsewhere.auth.status().validationCache).toMatchObject({
        listening: false,
        entries: 0,
      });
      expect(elsewhere.auth.status().problems).toContain(
        "The validation cache's postgres channel is not listening: every request goes to the store until it is back.",
      );
    });
  },
  ['postgres'],
);

// Pen test: after a freeze, the LISTEN connection's reconnect hung until PostgreSQL's
// authentication_timeout (60 s). With no connect timeout on the DataSource, a connect that gets
// no answer is given up after 5 s and tried again (the cache stays bypassed throughout).
describe('a LISTEN connect that gets no answer', () => {
  let silent: net.Server;
  const accepted: net.Socket[] = [];
  beforeAll(async () => {
    silent = net.createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('is given up after 5 s and tried again, never up', async () => {
    const { port } = silent.address() as net.AddressInfo;
    // The real pg driver, on a DataSource that sets no connect timeout (never initialized: the
    // channel only takes its driver and options).
    const ds = new DataSource({ type: 'postgres', host: '127.0.0.1', port, username: 'x' });
    const channel = new PostgresChannel(ds, 'rca_deaf');
    const states: string[] = [];
    channel.start({
      received: () => undefined,
      up: () => states.push('up'),
      down: () => states.push('down'),
    });
    try {
      for (let i = 0; i < 140 && accepted.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(accepted.length).toBeGreaterThanOrEqual(2);
      expect(states).not.toContain('up');
      expect(states[0]).toBe('down');
    } finally {
      await channel.close();
    }
  }, 15_000);
});
