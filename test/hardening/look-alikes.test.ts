import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { ThrottleOptions } from '../../src';
import { buildAccountApp, type AccountApp } from '../account/support';

// Pen test III, F3: `alicé@…` and fullwidth `ａlice@…` are accounts of their own (registered
// before registration refused look-alikes, or through another path) that fold to alice's counters.
// 9 wrong guesses at alice, then one good login as the look-alike, cleared the shared
// (identifier, IP) counter and remembered the pair: unlimited guesses at alice from one IP.

const apps: AccountApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

const IP = '203.0.113.9';
const ALICE = 'alice@example.com';

async function app(throttle: ThrottleOptions): Promise<AccountApp> {
  const a = await buildAccountApp('sqlite', { throttle });
  a.app.set('trust proxy', 'loopback');
  await a.make(ALICE, 'alice-password-1');
  apps.push(a);
  return a;
}

async function login(a: AccountApp, email: string, password: string, ip = IP): Promise<number> {
  const res = await request(a.app)
    .post('/auth/login')
    .set('X-Forwarded-For', ip)
    .send({ email, password });
  return res.status;
}

async function guesses(a: AccountApp, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push(await login(a, ALICE, `wrong-guess-${i}`));
  return statuses;
}

describe('a look-alike account cannot reset the throttle of the account it folds to', () => {
  it.each([['alicé@example.com'], ['ａlice@example.com']])(
    '%s: its success gives back its own points only; the 11th guess at alice is refused',
    async (lookAlike) => {
      const a = await app({ perAccountAndIp: 10, perIp: 1000 });
      await a.make(lookAlike, 'look-alike-password');
      expect(await guesses(a, 9)).toEqual(Array(9).fill(401));
      expect(await login(a, lookAlike, 'look-alike-password')).toBe(200);
      expect(await guesses(a, 2)).toEqual([401, 429]);
      // The look-alike itself is held to the same pair limit now.
      expect(await login(a, lookAlike, 'look-alike-password')).toBe(429);
    },
  );

  it('nor make the pair a known one that passes the account-wide limit', async () => {
    const a = await app({ perAccount: 5, perAccountAndIp: 100, perIp: 1000 });
    await a.make('alicé@example.com', 'look-alike-password');
    expect(await login(a, 'alicé@example.com', 'look-alike-password')).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect(await login(a, ALICE, 'wrong-guess', `198.51.100.${i + 1}`)).toBe(401);
    }
    expect(await login(a, ALICE, 'wrong-guess')).toBe(429);
  });

  it("alice's own success, in any case, still clears her pair counter and is remembered", async () => {
    const a = await app({ perAccountAndIp: 10, perAccount: 12, perIp: 1000 });
    expect(await guesses(a, 9)).toEqual(Array(9).fill(401));
    expect(await login(a, ' ALICE@Example.com ', 'alice-password-1')).toBe(200);
    expect(await guesses(a, 3)).toEqual([401, 401, 401]); // a fresh pair counter: 12 on the account
    // The account is over its limit; the remembered pair still passes.
    expect(await login(a, ALICE, 'wrong-guess', '198.51.100.1')).toBe(429);
    expect(await login(a, ALICE, 'alice-password-1')).toBe(200);
  });
});
