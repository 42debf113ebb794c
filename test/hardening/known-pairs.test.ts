import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AuthOptions, ThrottleOptions } from '../../src';
import { ipCounterKey } from '../../src/throttle/keys';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';

// Pen test finding F2: many IPs spreading failures over an account kept its owner locked out,
// one window after another. A pair that signed in before passes the account-wide limit; IPv6 is
// counted per /64 so one host cannot bring 2^64 fresh addresses.

const apps: TestApp[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});
afterAll(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

async function app(throttle: ThrottleOptions, options: AuthOptions = {}): Promise<TestApp> {
  const t = await buildTestApp('sqlite', { ...options, throttle });
  t.app.set('trust proxy', 'loopback'); // X-Forwarded-For from the test client decides req.ip
  apps.push(t);
  return t;
}

async function login(t: TestApp, ip: string, password: string = PASSWORDS.alice): Promise<number> {
  const res = await request(t.app)
    .post('/auth/login')
    .set('X-Forwarded-For', ip)
    .send({ email: 'alice@example.com', password });
  return res.status;
}

/** One wrong password for alice from each of `ips`. */
async function spread(t: TestApp, ips: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const ip of ips) statuses.push(await login(t, ip, 'wrong-password'));
  return statuses;
}

const ATTACKERS = Array.from({ length: 10 }, (_, i) => `203.0.113.${i + 1}`);
const HOME = '198.51.100.20';

describe('an account locked from many IPs (pen test F2)', () => {
  it('the owner still signs in from where they signed in before; an unknown place waits', async () => {
    const t = await app({ perAccount: 10 });
    expect(await login(t, HOME)).toBe(200);
    expect(await spread(t, ATTACKERS)).toEqual(Array(10).fill(401));
    // The account is over its limit: a fresh IP is refused before any check …
    expect(await login(t, '192.0.2.99')).toBe(429);
    expect(await spread(t, ['203.0.113.200'])).toEqual([429]);
    // … the owner's known pair is not, and a wrong password there is a plain 401.
    expect(await login(t, HOME, 'wrong-password')).toBe(401);
    expect(await login(t, HOME)).toBe(200);
  });

  it('a known pair is still held to its own per-pair limit', async () => {
    const t = await app({ perAccount: 3, perAccountAndIp: 2 });
    expect(await login(t, HOME)).toBe(200);
    await spread(t, ATTACKERS.slice(0, 3));
    expect(await spread(t, [HOME, HOME])).toEqual([401, 401]);
    expect(await login(t, HOME)).toBe(429);
  });

  it('with trustedSeconds: 0 nobody passes the account-wide limit', async () => {
    const t = await app({ perAccount: 10, trustedSeconds: 0 });
    expect(await login(t, HOME)).toBe(200);
    await spread(t, ATTACKERS);
    expect(await login(t, HOME)).toBe(429);
  });

  it('a pair is remembered for trustedSeconds from its last success, then it waits like the rest', async () => {
    const t = await app({ perAccount: 10, trustedSeconds: 60, windowSeconds: 900 });
    expect(await login(t, HOME)).toBe(200);
    t.clock.advance(50_000);
    expect(await login(t, HOME)).toBe(200); // renews the 60 s
    t.clock.advance(50_000);
    await spread(t, ATTACKERS);
    expect(await login(t, HOME)).toBe(200); // 50 s after the last success
    t.clock.advance(61_000);
    expect(await login(t, HOME)).toBe(429); // forgotten; the account's window still runs
  });

  it('a pair from another identifier does not pass: the pass is per (identifier, IP)', async () => {
    const t = await app({ perAccount: 10 });
    const admin = await request(t.app)
      .post('/auth/login')
      .set('X-Forwarded-For', HOME)
      .send({ email: 'admin@example.com', password: PASSWORDS.admin });
    expect(admin.status).toBe(200);
    await spread(t, ATTACKERS);
    expect(await login(t, HOME)).toBe(429);
  });

  it('in Redis, a pair remembered by one instance passes on another', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
    clients.push(redis);
    await redis.connect();
    const keyPrefix = `rca-known-${randomUUID()}`;
    const a = await app({ redis, keyPrefix, perAccount: 10 });
    const b = await app({ redis, keyPrefix, perAccount: 10 });
    expect(await login(a, HOME)).toBe(200);
    expect(await spread(b, ATTACKERS)).toEqual(Array(10).fill(401));
    expect(await login(a, '192.0.2.99')).toBe(429);
    expect(await login(b, HOME)).toBe(200);
    const keys = await redis.keys(`${keyPrefix}:known:*`);
    expect(keys).toHaveLength(1);
    await redis.del(...(await redis.keys(`${keyPrefix}*`)));
  });
});

describe('IPv6 is counted per /64', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['::FFFF:192.0.2.7', '192.0.2.7'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:0:0:ffff:ffff:ffff:ffff', '2001:db8:0:0::/64'],
    ['2001:0db8:0001:0002:0003:0004:0005:0006', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b:1:2::192.0.2.1', '64:ff9b:1:2::/64'],
    // Pen test III: every spelling of an IPv4 address counts as that address, not as ::1's /64.
    ['::ffff:c000:207', '192.0.2.7'],
    ['::FFFF:C000:0207', '192.0.2.7'],
    ['0:0:0:0:0:ffff:192.0.2.7', '192.0.2.7'],
    ['0000:0000:0000:0000:0000:ffff:c000:0207', '192.0.2.7'],
    ['::ffff:192.0.2.7%eth0', '192.0.2.7'],
    ['::192.0.2.7', '192.0.2.7'],
    ['::c000:207', '192.0.2.7'],
    ['64:ff9b::192.0.2.7', '192.0.2.7'],
    ['64:ff9b::c000:207', '192.0.2.7'],
    ['64:ff9b:0:0:0:0:cb00:7101', '203.0.113.1'],
    ['::ffff:0.0.0.0', '0.0.0.0'],
    ['::ffff:255.255.255.255', '255.255.255.255'],
    // Not IPv4 behind IPv6: loopback, unspecified, a low IPv4-compatible value, outside the /96.
    ['::', '0:0:0:0::/64'],
    ['::2', '0:0:0:0::/64'],
    ['::ffff', '0:0:0:0::/64'],
    ['::1:ffff:c000:207', '0:0:0:0::/64'],
    ['64:ff9b::1:c000:207', '64:ff9b:0:0::/64'],
  ])('%s counts as %s', (ip, key) => {
    expect(ipCounterKey(ip)).toBe(key);
  });

  it('anything that is not an IP is hashed to a fixed size', () => {
    expect(ipCounterKey('unknown')).toMatch(/^#[A-Za-z0-9_-]{22}$/);
    expect(ipCounterKey('x'.repeat(10_000))).toHaveLength(23);
  });

  it('over HTTP: two addresses of one /64 share a counter, the next /64 does not', async () => {
    const t = await app({ perAccountAndIp: 3 });
    expect(await spread(t, ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::9'])).toEqual(
      [401, 401, 401],
    );
    expect(await login(t, '2001:db8:1:2:abcd::1')).toBe(429);
    expect(await login(t, '2001:db8:1:3::1')).toBe(200);
  });

  it('over HTTP: spellings of one IPv4 address share its counter, ::1 does not (pen test III)', async () => {
    const t = await app({ perAccountAndIp: 3 });
    expect(await spread(t, ['192.0.2.7', '::ffff:c000:207', '0:0:0:0:0:ffff:192.0.2.7'])).toEqual([
      401, 401, 401,
    ]);
    expect(await login(t, '64:ff9b::192.0.2.7')).toBe(429);
    expect(await login(t, '::192.0.2.7')).toBe(429);
    expect(await login(t, '::1')).toBe(200);
  });
});
