import { createHash, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  foldIdentifier,
  resolveAuthConfig,
  type AuthOptions,
  type AuthSetup,
  type ThrottleOptions,
} from '../../src';
import { runtimeOfSetup } from '../../src/setup/setup-auth';
import type { LoginThrottle } from '../../src/throttle/login-throttle';
import { BoundedMemoryLimiter } from '../../src/throttle';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';
import { TEST_SECRET, testClock } from '../support/clock';
import { describeEngines } from '../support/engines';
import { TcpProxy } from '../support/tcp-proxy';

const apps: TestApp[] = [];
const clients: Redis[] = [];
const proxies: TcpProxy[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
  for (const proxy of proxies.splice(0)) {
    proxy.thaw();
    await proxy.down();
  }
});
afterAll(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

async function app(throttle?: ThrottleOptions, options: AuthOptions = {}): Promise<TestApp> {
  const t = await buildTestApp(
    'sqlite',
    throttle === undefined ? options : { ...options, throttle },
  );
  t.app.set('trust proxy', 'loopback'); // X-Forwarded-For from the test client decides req.ip
  apps.push(t);
  return t;
}

function login(t: TestApp, email: string, password: string, ip = '198.51.100.7') {
  return request(t.app).post('/auth/login').set('X-Forwarded-For', ip).send({ email, password });
}

/** The throttle of a setup. */
function throttleOf(auth: AuthSetup): LoginThrottle {
  const throttle = runtimeOfSetup(auth).throttle;
  if (throttle === null) throw new Error('throttling is off');
  return throttle;
}

/** The counter name an identifier gets under the default fold, computed independently. */
function hashed(identifier: string): string {
  return createHash('sha256').update(identifier).digest('base64url').slice(0, 22);
}

async function failures(t: TestApp, email: string, n: number, ip?: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await login(t, email, 'wrong-password', ip)).status);
  return statuses;
}

describe('login throttling (memory store, defaults)', () => {
  it('the 11th bad password for an account from one IP → 429 with Retry-After, even with the right password', async () => {
    // rate-limiter-flexible's memory store reads Date.now(): frozen, the whole window is ahead.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const t = await app();
      expect(await failures(t, 'alice@example.com', 10)).toEqual(Array(10).fill(401));
      const res = await login(t, 'alice@example.com', PASSWORDS.alice);
      expect(res.status).toBe(429);
      expect(res.body).toEqual({
        name: 'TooManyRequestsError',
        code: 'too_many_requests',
        message: 'Too many attempts; try again later.',
      });
      expect(res.headers['retry-after']).toBe('900');
    } finally {
      vi.useRealTimers();
    }
  });

  it('an unrelated account still logs in from the same IP', async () => {
    const t = await app();
    await failures(t, 'alice@example.com', 11);
    expect((await login(t, 'admin@example.com', PASSWORDS.admin)).status).toBe(200);
  });

  it('the victim is not locked out from another IP', async () => {
    const t = await app();
    await failures(t, 'alice@example.com', 11, '203.0.113.66');
    expect((await login(t, 'alice@example.com', PASSWORDS.alice, '198.51.100.20')).status).toBe(
      200,
    );
  });

  it('a non-existent account is throttled exactly the same way', async () => {
    const t = await app();
    expect(await failures(t, 'nobody@example.com', 10)).toEqual(Array(10).fill(401));
    const res = await login(t, 'nobody@example.com', 'whatever-1');
    expect(res.status).toBe(429);
    expect((res.body as { code: string }).code).toBe('too_many_requests');
    // Identifiers are compared case-insensitively: no bypass by changing case.
    expect((await login(t, 'NOBODY@example.com', 'whatever-1')).status).toBe(429);
  });

  it('a success clears the counter of that account and IP', async () => {
    const t = await app();
    await failures(t, 'alice@example.com', 9);
    expect((await login(t, 'alice@example.com', PASSWORDS.alice)).status).toBe(200);
    expect(await failures(t, 'alice@example.com', 10)).toEqual(Array(10).fill(401));
  });

  it('per-IP limit across identifiers', async () => {
    const t = await app({ perIp: 5 });
    for (let i = 0; i < 5; i++)
      expect((await login(t, `u${i}@example.com`, 'pw-xxxxxx')).status).toBe(401);
    expect((await login(t, 'admin@example.com', PASSWORDS.admin)).status).toBe(429);
    expect((await login(t, 'admin@example.com', PASSWORDS.admin, '198.51.100.99')).status).toBe(
      200,
    );
  });

  it('per-account limit across IPs', async () => {
    const t = await app({ perAccount: 4 });
    for (let i = 0; i < 4; i++) await failures(t, 'alice@example.com', 1, `192.0.2.${i}`);
    expect((await login(t, 'alice@example.com', PASSWORDS.alice, '192.0.2.200')).status).toBe(429);
  });

  it('throttles the OAuth2 form and the cookie login too', async () => {
    const t = await app({ perAccountAndIp: 2 });
    const form = () =>
      request(t.app)
        .post('/auth/token')
        .set('X-Forwarded-For', '198.51.100.7')
        .type('form')
        .send({ username: 'alice@example.com', password: 'wrong-password' });
    expect((await form()).status).toBe(401);
    expect((await form()).status).toBe(401);
    expect((await form()).status).toBe(429);
    const cookie = await request(t.app)
      .post('/auth/cookie/login')
      .set('X-Forwarded-For', '198.51.100.7')
      .send({ email: 'alice@example.com', password: PASSWORDS.alice });
    expect(cookie.status).toBe(429);
  });

  it('can be turned off', async () => {
    const t = await buildTestApp('sqlite', { throttle: false });
    apps.push(t);
    expect(await failures(t, 'alice@example.com', 12)).toEqual(Array(12).fill(401));
  });
});

describe('login throttling (Redis store)', () => {
  it('counts in Redis, under the configured prefix', async () => {
    const redis = new Redis({
      host: '127.0.0.1',
      port: 6379,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    clients.push(redis);
    await redis.connect();
    const keyPrefix = `rca-test-${randomUUID()}`;
    const t = await app({ redis, keyPrefix });
    expect(await failures(t, 'alice@example.com', 10)).toEqual(Array(10).fill(401));
    expect((await login(t, 'alice@example.com', PASSWORDS.alice)).status).toBe(429);
    // Fixed-size keys: a hash of the folded identifier, never the address itself.
    const keys = await redis.keys(`${keyPrefix}*`);
    const account = hashed('alice@example.com');
    expect(keys.sort()).toEqual(
      [
        `${keyPrefix}:pair:${account}|198.51.100.7`,
        `${keyPrefix}:account:${account}`,
        `${keyPrefix}:ip:198.51.100.7`,
      ].sort(),
    );
    expect(await redis.get(`${keyPrefix}:account:${account}`)).toBe('10');
    await redis.del(...keys);
  });

  it('keeps throttling in memory when Redis is unreachable', async () => {
    const down = new Redis({
      host: '127.0.0.1',
      port: 1, // nothing listens here
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    clients.push(down);
    down.on('error', () => undefined);
    const t = await app({ redis: down, keyPrefix: `rca-down-${randomUUID()}` });
    expect(await failures(t, 'alice@example.com', 10)).toEqual(Array(10).fill(401));
    expect((await login(t, 'alice@example.com', PASSWORDS.alice)).status).toBe(429);
  });
});

describe('one IP cannot lock an account (pen test finding 1)', () => {
  it('after 101 failed logins for alice from one IP, alice signs in from another IP', async () => {
    const t = await app();
    const statuses = await failures(t, 'alice@example.com', 101, '203.0.113.66');
    expect(statuses).toEqual([...Array<number>(10).fill(401), ...Array<number>(91).fill(429)]);
    expect((await login(t, 'alice@example.com', PASSWORDS.alice, '198.51.100.20')).status).toBe(
      200,
    );
  });

  it('an IP over its own limit never charges an account counter', async () => {
    const t = await app({ perIp: 5, perAccount: 3 });
    for (let i = 0; i < 5; i++) await failures(t, `u${i}@example.com`, 1, '203.0.113.66');
    // Blocked by its IP limit: none of these reaches alice's counter.
    expect(await failures(t, 'alice@example.com', 20, '203.0.113.66')).toEqual(
      Array<number>(20).fill(429),
    );
    await failures(t, 'alice@example.com', 1, '192.0.2.1');
    await failures(t, 'alice@example.com', 1, '192.0.2.2');
    // Two real failures of three: the owner still gets in.
    expect((await login(t, 'alice@example.com', PASSWORDS.alice, '192.0.2.3')).status).toBe(200);
  });

  it('an attempt refused by the account limit leaves its IP and pair counters untouched', async () => {
    const t = await app({ perAccount: 2, perIp: 3 });
    await failures(t, 'alice@example.com', 1, '192.0.2.1');
    await failures(t, 'alice@example.com', 1, '192.0.2.2');
    // Alice's account is at its limit: IP 192.0.2.9 is refused 5 times, charged nothing.
    expect(await failures(t, 'alice@example.com', 5, '192.0.2.9')).toEqual(
      Array<number>(5).fill(429),
    );
    for (let i = 0; i < 3; i++) {
      expect((await login(t, `n${i}@example.com`, 'wrong-password', '192.0.2.9')).status).toBe(401);
    }
    expect((await login(t, 'admin@example.com', PASSWORDS.admin, '192.0.2.9')).status).toBe(429);
  });

  // A queue long enough for every request: none is shed with 503, each meets the throttle.
  const roomy: AuthOptions = { passwordQueueLimit: 100 };

  it('parallel guesses cannot slip past the (identifier, IP) limit', async () => {
    const t = await app(undefined, roomy);
    const all = await Promise.all(
      Array.from({ length: 30 }, () => login(t, 'alice@example.com', 'wrong-password')),
    );
    const statuses = all.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array<number>(10).fill(401), ...Array<number>(20).fill(429)]);
  });

  it('parallel guesses from many IPs cannot slip past the account limit', async () => {
    const t = await app({ perAccount: 5 }, roomy);
    const all = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        login(t, 'alice@example.com', 'wrong-password', `192.0.2.${i + 1}`),
      ),
    );
    const statuses = all.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array<number>(5).fill(401), ...Array<number>(15).fill(429)]);
  });

  it('a lockout ends with its window: refused attempts do not extend it', async () => {
    const t = await app({ windowSeconds: 60 });
    expect(await failures(t, 'alice@example.com', 10)).toEqual(Array<number>(10).fill(401));
    t.clock.advance(30_000);
    const refused = await login(t, 'alice@example.com', PASSWORDS.alice);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('30');
    t.clock.advance(29_000);
    expect((await login(t, 'alice@example.com', PASSWORDS.alice)).status).toBe(429);
    t.clock.advance(1_000);
    expect((await login(t, 'alice@example.com', PASSWORDS.alice)).status).toBe(200);
  });
});

describe('identifier folding (pen test finding 2)', () => {
  it('folds case, accents and compatibility forms, and trims', () => {
    const alice = [
      'alice@example.com',
      'alicé@example.com',
      'ALÌCÉ@EXAMPLE.COM',
      'ålice@example.com',
      ' Alice@Example.com ',
      'ＡＬＩＣＥ@example.com',
      'alı̇ce@example.com',
    ];
    expect(alice.map(foldIdentifier)).toEqual(
      Array<string>(alice.length).fill('alice@example.com'),
    );
    expect(foldIdentifier('İSTANBUL')).toBe('istanbul');
    expect(foldIdentifier('ΣΊΣΥΦΟΣ')).toBe(foldIdentifier('σίσυφος'));
    expect(foldIdentifier('bob@example.com')).toBe('bob@example.com');
  });

  it('accent and case variants share one set of counters', async () => {
    const t = await app();
    const variants = ['alicé@example.com', 'ALÌCÉ@EXAMPLE.COM', 'ålice@example.com', 'ALICE@x'];
    for (let i = 0; i < 10; i++) {
      const status = (await login(t, variants[i % 3] ?? '', 'wrong-password')).status;
      expect(status).toBe(401);
    }
    expect((await login(t, 'alice@example.com', PASSWORDS.alice)).status).toBe(429);
    expect((await login(t, variants[3] ?? '', PASSWORDS.alice)).status).toBe(401);
  });

  it('a fold of your own replaces the default', async () => {
    const t = await app({ perAccountAndIp: 2, foldIdentifier: (id) => id.split('+')[0] ?? id });
    expect(await failures(t, 'alice+1@example.com', 1)).toEqual([401]);
    expect(await failures(t, 'alice+2@example.com', 1)).toEqual([401]);
    expect((await login(t, 'alice+3@example.com', PASSWORDS.alice)).status).toBe(429);
  });
});

describeEngines('example app: collation-equivalent addresses (pen test finding 2)', (engine) => {
  let h: ExampleHarness;
  beforeAll(async () => {
    h = await startExample(engine);
  });
  afterAll(() => stopExample(h));

  const exampleLogin = (email: string, password: string, ip: string) =>
    request(h.app).post('/auth/login').set('X-Forwarded-For', ip).send({ email, password });

  it('an accent or case variant of an address does not sign in as its owner', async () => {
    h.app.set('trust proxy', 'loopback');
    for (const email of ['alicé@example.com', 'ALÌCÉ@EXAMPLE.COM', 'ålice@example.com']) {
      const res = await exampleLogin(email, 'alice-password-1', '192.0.2.10');
      expect(res.status).toBe(401);
      expect((res.body as { code: string }).code).toBe('invalid_credentials');
    }
    expect((await exampleLogin('Alice@Example.com', 'alice-password-1', '192.0.2.10')).status).toBe(
      200,
    );
  });

  it('variants count against the owner’s counters', async () => {
    h.app.set('trust proxy', 'loopback');
    const variants = ['alicé@example.com', 'ALÌCÉ@EXAMPLE.COM', 'ålice@example.com'];
    for (let i = 0; i < 10; i++) {
      const res = await exampleLogin(variants[i % 3] ?? '', 'wrong-password-1', '192.0.2.11');
      expect(res.status).toBe(401);
    }
    const res = await exampleLogin('alice@example.com', 'alice-password-1', '192.0.2.11');
    expect(res.status).toBe(429);
    expect((res.body as { code: string }).code).toBe('too_many_requests');
  });
});

describe('a bounded in-memory store (pen test finding 3)', () => {
  it('an IP over its limit adds no keys, however many identifiers it tries', async () => {
    const t = await app();
    for (let i = 0; i < 300; i++) {
      const status = (await login(t, `user${i}@example.com`, 'wrong-password')).status;
      expect(status).toBe(i < 100 ? 401 : 429);
    }
    expect(throttleOf(t.auth as AuthSetup).memoryEntries()).toEqual({
      ip: 1,
      pair: 100,
      account: 100,
      known: 0,
    });
  });

  it('never holds more than maxMemoryEntries keys, and a flood does not reset a victim', async () => {
    const t = await app({ perIp: 10_000, perAccountAndIp: 4, maxMemoryEntries: 50 });
    expect(await failures(t, 'alice@example.com', 3, '192.0.2.50')).toEqual([401, 401, 401]);
    for (let i = 0; i < 200; i++) await failures(t, `flood${i}@example.com`, 1, '203.0.113.66');
    expect(throttleOf(t.auth as AuthSetup).memoryEntries()).toEqual({
      ip: 2,
      pair: 50,
      account: 50,
      known: 0,
    });
    // Only one-failure keys were evicted: alice's three failures from 192.0.2.50 still count.
    expect(await failures(t, 'alice@example.com', 2, '192.0.2.50')).toEqual([401, 429]);
  });

  it('a success keeps no counter key (only its remembered pair), and clears its (identifier, IP) key', async () => {
    const t = await app();
    const entries = () => throttleOf(t.auth).memoryEntries();
    expect((await login(t, 'alice@example.com', PASSWORDS.alice)).status).toBe(200);
    expect(entries()).toEqual({ ip: 0, pair: 0, account: 0, known: 1 });
    await failures(t, 'alice@example.com', 1);
    expect(entries()).toEqual({ ip: 1, pair: 1, account: 1, known: 1 });
    expect((await login(t, 'alice@example.com', PASSWORDS.alice)).status).toBe(200);
    expect(entries()).toEqual({ ip: 1, pair: 0, account: 1, known: 1 });
  });
});

describe('BoundedMemoryLimiter', () => {
  const limiter = (maxEntries: number, now = testClock(0).now) =>
    new BoundedMemoryLimiter({ points: 3, duration: 10, maxEntries, now });

  async function consumed(l: BoundedMemoryLimiter, key: string): Promise<number | null> {
    return (await l.get(key))?.consumedPoints ?? null;
  }

  it('rejects past its points with a RateLimiterRes that says when the window ends', async () => {
    const clock = testClock(0);
    const l = limiter(10, clock.now);
    for (let i = 0; i < 3; i++) await l.consume('k');
    clock.advance(4_000);
    await expect(l.consume('k')).rejects.toMatchObject({
      consumedPoints: 4,
      remainingPoints: 0,
      msBeforeNext: 6_000,
    });
    clock.advance(6_000);
    await expect(l.consume('k')).resolves.toMatchObject({ consumedPoints: 1 });
  });

  it('evicts expired windows first, then the fewest points, longest-held first', async () => {
    const clock = testClock(0);
    const l = limiter(3, clock.now);
    await l.consume('old');
    clock.advance(5_000);
    await l.consume('two');
    await l.consume('two');
    await l.consume('one-a');
    clock.advance(5_000); // 'old' has expired
    await l.consume('one-b');
    expect([await consumed(l, 'old'), l.size]).toEqual([null, 3]);
    await l.consume('one-c'); // full: the longest-held one-point key goes
    expect(await consumed(l, 'one-a')).toBe(null);
    expect([
      await consumed(l, 'two'),
      await consumed(l, 'one-b'),
      await consumed(l, 'one-c'),
    ]).toEqual([2, 1, 1]);
  });

  it('never goes negative and forgets keys that fall back to zero', async () => {
    const l = limiter(10);
    await l.reward('absent');
    expect([await consumed(l, 'absent'), l.size]).toEqual([null, 0]);
    await l.consume('k');
    await l.reward('k');
    expect([await consumed(l, 'k'), l.size]).toEqual([null, 0]);
    expect(await l.delete('k')).toBe(false);
  });
});

describe('Redis trouble does not stall logins (pen test finding 4)', () => {
  /** A Redis client with ioredis' defaults (offline queue, 20 retries), behind a proxy. */
  async function proxiedRedis(): Promise<{ proxy: TcpProxy; redis: Redis }> {
    const proxy = new TcpProxy('127.0.0.1', 6379);
    await proxy.up();
    proxies.push(proxy);
    const redis = new Redis({ host: '127.0.0.1', port: proxy.port, lazyConnect: true });
    redis.on('error', () => undefined);
    clients.push(redis);
    await redis.connect();
    return { proxy, redis };
  }

  const patient = (r: request.Test) => r.timeout(10_000); // far above redisTimeoutMs × 4

  /** A correct login answers 200, and 10 failures for another account then answer 429. */
  async function expectServedFromMemory(t: TestApp): Promise<void> {
    expect((await patient(login(t, 'alice@example.com', PASSWORDS.alice))).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await patient(login(t, 'bob@example.com', 'wrong-password'))).status);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
  }

  it('Redis frozen: a correct login answers 200, and failures are still counted', async () => {
    const { proxy, redis } = await proxiedRedis();
    const t = await app({ redis, redisTimeoutMs: 100, keyPrefix: `rca-frozen-${randomUUID()}` });
    expect(await failures(t, 'alice@example.com', 2)).toEqual([401, 401]);
    proxy.freeze();
    await expectServedFromMemory(t);
  });

  it('Redis cut off: a correct login answers 200 at once from memory', async () => {
    const { proxy, redis } = await proxiedRedis();
    const t = await app({ redis, keyPrefix: `rca-cut-${randomUUID()}` });
    expect(await failures(t, 'alice@example.com', 1)).toEqual([401]);
    await proxy.down();
    await expectServedFromMemory(t);
  });
});

describe('throttle options', () => {
  const resolve = (throttle: ThrottleOptions) =>
    resolveAuthConfig({ secretKey: TEST_SECRET, throttle }, {}).throttle;

  it('defaults: the default fold, 10000 keys per memory counter, 200 ms per Redis call', () => {
    expect(resolve({})).toMatchObject({
      foldIdentifier,
      maxMemoryEntries: 10_000,
      redisTimeoutMs: 200,
    });
  });

  it('refuses a fold that is not a function, and bounds that are not positive whole numbers', () => {
    expect(() => resolve({ foldIdentifier: 'lower' as unknown as () => string })).toThrow(
      /throttle\.foldIdentifier/,
    );
    expect(() => resolve({ maxMemoryEntries: 0 })).toThrow(/throttle\.maxMemoryEntries/);
    expect(() => resolve({ redisTimeoutMs: 1.5 })).toThrow(/throttle\.redisTimeoutMs/);
  });
});
