import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, PasswordHasher, type PasswordHasherStats } from '../../src';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';

type Work = Pick<PasswordHasherStats, 'compares' | 'compareRounds'>;

async function workOf(hasher: PasswordHasher, run: () => Promise<unknown>): Promise<Work> {
  const before = hasher.stats();
  await run();
  const after = hasher.stats();
  return {
    compares: after.compares - before.compares,
    compareRounds: after.compareRounds - before.compareRounds,
  };
}

describe('legacy lower-cost hashes spend the configured work (pen test finding 6)', () => {
  it('PasswordHasher.check: one compare at the configured cost, whatever the stored hash', async () => {
    const hasher = new PasswordHasher(7);
    const legacy = await hashPassword('legacy-password', 4);
    const current = await hasher.hash('current-password');
    const check = (hash: string | undefined, password: string) => () =>
      hasher.check(hash, password);
    expect(await workOf(hasher, check(undefined, 'x'))).toEqual({
      compares: 1,
      compareRounds: 128,
    });
    expect(await workOf(hasher, check('not-a-hash', 'x'))).toEqual({
      compares: 1,
      compareRounds: 128,
    });
    expect(await workOf(hasher, check(current, 'wrong'))).toEqual({
      compares: 1,
      compareRounds: 128,
    });
    // 2^4 for the stored hash, then dummies at 4, 5 and 6: 16 + 16 + 32 + 64 = 128 = 2^7.
    expect(await workOf(hasher, check(legacy, 'wrong'))).toEqual({
      compares: 4,
      compareRounds: 128,
    });
    expect(await hasher.check(legacy, 'legacy-password')).toBe(true);
    expect(await hasher.check(legacy, 'wrong')).toBe(false);
  });

  describe('over HTTP (test users hold cost-4 hashes; the app is configured for cost 6)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp('sqlite', { bcryptCost: 6, throttle: false });
    });
    afterAll(() => t.close());

    const login = (email: string, password: string) =>
      request(t.app).post('/auth/login').send({ email, password });

    it('a wrong password on a legacy account costs what an unknown account costs', async () => {
      const hasher = t.auth.userAuthentication.passwords;
      let statuses: number[] = [];
      const unknown = await workOf(hasher, async () => {
        statuses.push((await login('nobody@example.com', 'wrong-password')).status);
      });
      const legacy = await workOf(hasher, async () => {
        statuses.push((await login('alice@example.com', 'wrong-password')).status);
      });
      expect(statuses).toEqual([401, 401]);
      expect(unknown).toEqual({ compares: 1, compareRounds: 64 });
      expect(legacy).toEqual({ compares: 3, compareRounds: 64 });
      // A correct login upgrades the hash to cost 6; a wrong password then costs one compare.
      statuses = [(await login('alice@example.com', PASSWORDS.alice)).status];
      const upgraded = await workOf(hasher, async () => {
        statuses.push((await login('alice@example.com', 'wrong-password')).status);
      });
      expect(statuses).toEqual([200, 401]);
      expect(upgraded).toEqual({ compares: 1, compareRounds: 64 });
    });
  });
});
