import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/clock';
import { describeEngines } from '../support/engines';
import { claimsOf, forge } from '../support/forge';
import { listening, me, openInstances, warm, type Instance, type Instances } from './instances';

const INVALID = { status: 401, code: 'invalid_token' };

describeEngines('validation cache on one instance', (engine) => {
  let t: Instances;
  let a: Instance;

  beforeAll(async () => {
    t = await openInstances(engine, { accessTokenExpireMinutes: 1, leewaySeconds: 5 }, { size: 3 });
    a = t.a;
    expect(await listening(a.auth)).toBe(true);
  });
  afterAll(() => t.close());

  const login = () => a.auth.tokens.createTokenPair(t.alice.id);
  const userQueries = (i: Instance) =>
    i.counter.queries.filter((q) => q.query.includes('test_users')).length;

  it('a hot token costs zero store queries; its user is still read on every request', async () => {
    const { accessToken } = await login();
    a.counter.reset();
    expect(await me(a, accessToken)).toEqual({ status: 200, code: undefined });
    expect(a.storeQueries()).toBe(1);
    expect(userQueries(a)).toBe(1);
    for (let i = 0; i < 3; i++) {
      a.counter.reset();
      expect(await me(a, accessToken)).toEqual({ status: 200, code: undefined });
      expect(a.storeQueries()).toBe(0);
      expect(userQueries(a)).toBe(1);
    }
    expect(a.auth.status().validationCache).toMatchObject({ listening: true });
  });

  it('a user deactivated while their token is hot is refused at once (the user is not cached)', async () => {
    const { accessToken } = await a.auth.tokens.createTokenPair(t.bob.id);
    expect(await warm(a, accessToken)).toBe(0);
    const repo = a.auth.userAuthentication as unknown as {
      repo: { update(where: object, set: object): Promise<unknown> };
    };
    await repo.repo.update({ id: t.bob.id }, { isActive: false });
    try {
      expect(await me(a, accessToken)).toEqual({ status: 401, code: 'user_inactive' });
    } finally {
      await repo.repo.update({ id: t.bob.id }, { isActive: true });
    }
  });

  it('a forged token never reaches the cache, even with a hot token’s exact claims', async () => {
    const { accessToken } = await login();
    expect(await warm(a, accessToken)).toBe(0);
    const { header, payload } = claimsOf(accessToken);
    const signature = accessToken.split('.')[2] ?? '';
    const forgeries = [
      forge(header, payload, { hmac: `${TEST_SECRET}-not-ours` }),
      forge(header, payload, { raw: `${signature.slice(0, -2)}AA` }),
      forge({ ...header, alg: 'none' }, payload),
      forge(header, { ...payload, sub: String(t.bob.id) }, { raw: signature }),
    ];
    for (const token of forgeries) {
      a.counter.reset();
      expect(await me(a, token)).toEqual(INVALID);
      expect(a.storeQueries()).toBe(0); // refused before the store and before the cache
    }
  });

  it('a revoked token is refused at once on its instance, and refusals are never cached', async () => {
    const { accessToken } = await login();
    expect(await warm(a, accessToken)).toBe(0);
    const res = await request(a.app)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(204);
    for (let i = 0; i < 2; i++) {
      a.counter.reset();
      expect(await me(a, accessToken)).toEqual({ status: 401, code: 'token_revoked' });
      expect(a.storeQueries()).toBe(1);
    }
  });

  it('an entry is trusted at most maxAgeSeconds, then the store is asked again', async () => {
    const { accessToken } = await login();
    expect(await warm(a, accessToken)).toBe(0);
    t.clock.advance(29_999);
    a.counter.reset();
    await me(a, accessToken);
    expect(a.storeQueries()).toBe(0);
    t.clock.advance(1);
    a.counter.reset();
    expect(await me(a, accessToken)).toEqual({ status: 200, code: undefined });
    expect(a.storeQueries()).toBe(1);
  });

  it('an entry never outlives its token: within the leeway past exp, the store decides', async () => {
    const { accessToken } = await login(); // 60 s access token
    t.clock.advance(45_000);
    expect(await warm(a, accessToken)).toBe(0); // trusted until exp, 15 s from now (< 30 s)
    t.clock.advance(15_000 + 2_000); // 2 s past exp, inside the 5 s leeway
    a.counter.reset();
    expect(await me(a, accessToken)).toEqual({ status: 200, code: undefined });
    expect(a.storeQueries()).toBe(1);
  });

  it('holds at most `size` tokens: the least recently used is asked for again', async () => {
    const tokens = [];
    for (let i = 0; i < 4; i++) tokens.push((await login()).accessToken);
    for (const token of tokens) await me(a, token); // 4 into a cache of 3: the first goes
    expect(a.auth.status().validationCache?.entries).toBe(3);
    a.counter.reset();
    await me(a, tokens[3] ?? '');
    expect(a.storeQueries()).toBe(0);
    a.counter.reset();
    await me(a, tokens[0] ?? '');
    expect(a.storeQueries()).toBe(1);
  });

  it('with the cache off, every request is one store query (strict)', async () => {
    const strict = await t.open({ validationCache: false });
    expect(strict.auth.status().validationCache).toBe(null);
    const { accessToken } = await strict.auth.tokens.createTokenPair(t.alice.id);
    for (let i = 0; i < 3; i++) {
      strict.counter.reset();
      expect(await me(strict, accessToken)).toEqual({ status: 200, code: undefined });
      expect(strict.storeQueries()).toBe(1);
    }
  });
});

describeEngines(
  'validation cache before its channel listens',
  (engine) => {
    it('is not in use until LISTEN is confirmed, then is', async () => {
      const t = await openInstances(engine);
      try {
        expect(await listening(t.a.auth)).toBe(true);
        // A new setup connects its LISTEN in the background: no I/O has happened yet here.
        const late = await t.open();
        expect(late.auth.status().validationCache).toEqual({
          channel: 'postgres',
          listening: false,
          entries: 0,
          hits: 0,
          misses: 0,
          bypassed: 0,
        });
        expect(await listening(late.auth)).toBe(true);
        const { accessToken } = await late.auth.tokens.createTokenPair(t.alice.id);
        expect(await warm(late, accessToken)).toBe(0);
      } finally {
        await t.close();
      }
    });
  },
  ['postgres'],
);
