import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ThrottleOptions } from '../../src';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';

const apps: TestApp[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => undefined)));
});

async function app(throttle?: ThrottleOptions): Promise<TestApp> {
  const t = await buildTestApp('sqlite', throttle === undefined ? {} : { throttle });
  t.app.set('trust proxy', 'loopback'); // X-Forwarded-For from the test client decides req.ip
  apps.push(t);
  return t;
}

function login(t: TestApp, email: string, password: string, ip = '198.51.100.7') {
  return request(t.app).post('/auth/login').set('X-Forwarded-For', ip).send({ email, password });
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
    const keys = await redis.keys(`${keyPrefix}*`);
    expect(keys.sort()).toEqual(
      [
        `${keyPrefix}:pair:alice@example.com|198.51.100.7`,
        `${keyPrefix}:account:alice@example.com`,
        `${keyPrefix}:ip:198.51.100.7`,
      ].sort(),
    );
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
