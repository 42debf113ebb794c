import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ValidationCache } from '../../src/cache/validation-cache';
import { me, openInstances, type Instances } from './instances';

// The request path takes a ticket, reads the store, then offers the row to the cache. Here the
// same steps run by hand, with a revocation committed between the read and the offer.
describe('a store read racing a revocation', () => {
  let t: Instances;
  let cache: ValidationCache;

  beforeAll(async () => {
    t = await openInstances('sqlite');
    const found = t.b.auth.tokens.validationCache;
    if (found === null) throw new Error('cache is off');
    cache = found;
  });
  afterAll(() => t.close());

  const readLive = async () => {
    const { accessToken } = await t.a.auth.tokens.createTokenPair(t.alice.id);
    const claims = t.b.auth.tokens.verify(accessToken, 'access');
    const ticket = cache.ticket();
    const row = await t.b.auth.tokens.store.lookup(claims.jti);
    if (row === null) throw new Error('no row');
    return { accessToken, claims, ticket, row };
  };

  it('a row read before the revocation is not kept once the event arrived', async () => {
    const { accessToken, claims, ticket, row } = await readLive();
    expect(await t.a.auth.tokens.revokeSession(claims.sid)).toBe(true);
    cache.remember(ticket, claims, row); // the stale "live" row
    expect(cache.has(claims)).toBe(false);
    expect(await me(t.b, accessToken)).toEqual({ status: 401, code: 'token_revoked' });
  });

  it('without an event in between, the row is kept, for its own sub and sid only', async () => {
    const { accessToken, claims, ticket, row } = await readLive();
    cache.remember(ticket, claims, row);
    expect(cache.has({ ...claims, sub: String(t.bob.id) })).toBe(false);
    expect(cache.has({ ...claims, sid: '00000000-0000-4000-8000-000000000000' })).toBe(false);
    expect(cache.has(claims)).toBe(true);
    t.b.counter.reset();
    expect(await me(t.b, accessToken)).toEqual({ status: 200, code: undefined });
    expect(t.b.storeQueries()).toBe(0);
  });

  it('a refresh token is never kept', async () => {
    const { refreshToken } = await t.a.auth.tokens.createTokenPair(t.alice.id);
    const claims = t.b.auth.tokens.verify(refreshToken, 'refresh');
    const ticket = cache.ticket();
    const row = await t.b.auth.tokens.store.lookup(claims.jti);
    if (row === null) throw new Error('no row');
    cache.remember(ticket, claims, row);
    expect(cache.has(claims)).toBe(false);
  });
});
