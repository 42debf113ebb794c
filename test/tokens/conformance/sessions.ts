import { expect, it } from 'vitest';
import { AuthError, encodeToken, type TokenPair, type TokenService } from '../../../src';
import { codeOf, payloadOf, type Conformance } from './harness';

/** Per pair, whether its access token still validates. */
async function alive(tokens: TokenService, pairs: readonly TokenPair[]): Promise<boolean[]> {
  const live = [];
  for (const pair of pairs) {
    live.push((await tokens.validateAccessToken(pair.accessToken).catch(() => null)) !== null);
  }
  return live;
}

/** `true` for the last `cap` of `pairs`: the sessions a cap of `cap` keeps. */
const newest = (pairs: readonly unknown[], cap: number): boolean[] =>
  pairs.map((_, k) => k >= pairs.length - cap);

/** Session bounds, "log out other devices", exact id matching, future `iat`. */
export function sessionSuite(t: Conformance): void {
  it('a user holds at most maxSessionsPerUser live sessions: the oldest is revoked', async () => {
    const tokens = t.service({ maxSessionsPerUser: 3 });
    const user = `capped-${t.engine}`;
    const pairs = [];
    for (let i = 0; i < 4; i++) {
      pairs.push(await tokens.createTokenPair(user));
      t.clock().advance(1_000);
    }
    const other = await tokens.createTokenPair(`${user}-other`);
    const [oldest, ...kept] = pairs;
    expect(await codeOf(tokens.validateAccessToken(oldest?.accessToken ?? ''))).toBe(
      'token_revoked',
    );
    expect(await codeOf(tokens.refresh(oldest?.refreshToken ?? ''))).toBe('token_revoked');
    expect((await tokens.listSessions(user)).map((s) => s.id)).toEqual(
      kept.map((p) => p.sessionId).reverse(),
    );
    for (const pair of kept)
      expect((await tokens.validateAccessToken(pair.accessToken)).sub).toBe(user);
    expect((await tokens.validateAccessToken(other.accessToken)).sub).toBe(`${user}-other`);
    // Rotation does not count as a new session.
    const rotated = await tokens.refresh(kept[0]?.refreshToken ?? '');
    expect(await tokens.listSessions(user)).toHaveLength(3);
    expect((await tokens.validateAccessToken(rotated.accessToken)).sub).toBe(user);
  });

  it('below the cap no login evicts anything; at it, exactly the oldest goes (pen test: cap 5, 7 logins)', async () => {
    const tokens = t.service({ maxSessionsPerUser: 5 });
    const user = `capped5-${t.engine}`;
    const pairs = [];
    for (let i = 0; i < 7; i++) {
      pairs.push(await tokens.createTokenPair(user));
      t.clock().advance(1_000);
      // After login i + 1: min(i + 1, 5) live sessions, the newest ones.
      expect(await alive(tokens, pairs)).toEqual(newest(pairs, 5));
      expect(await tokens.listSessions(user)).toHaveLength(Math.min(i + 1, 5));
    }
  });

  it('logins within one second are evicted oldest first, by the millisecond (pen test)', async () => {
    const tokens = t.service({ maxSessionsPerUser: 2 });
    const user = `same-second-${t.engine}`;
    const pairs = [];
    for (let i = 0; i < 6; i++) {
      pairs.push(await tokens.createTokenPair(user));
      t.clock().advance(7); // all six within one second of the clock
      expect(await alive(tokens, pairs)).toEqual(newest(pairs, 2));
    }
  });

  it('revokeAllForUser with except keeps exactly that session', async () => {
    const user = `others-${t.engine}`;
    const a = await t.tokens().createTokenPair(user);
    const b = await t.tokens().createTokenPair(user);
    const c = await t.tokens().createTokenPair(user);
    const bystander = await t.tokens().createTokenPair(`${user}-x`);
    expect(await t.tokens().revokeAllForUser(user, { except: b.sessionId })).toBe(2);
    for (const pair of [a, c]) {
      expect(await codeOf(t.tokens().validateAccessToken(pair.accessToken))).toBe('token_revoked');
      expect(await codeOf(t.tokens().refresh(pair.refreshToken))).toBe('token_revoked');
    }
    expect((await t.tokens().listSessions(user)).map((s) => s.id)).toEqual([b.sessionId]);
    expect((await t.tokens().refresh(b.refreshToken)).sessionId).toBe(b.sessionId);
    expect((await t.tokens().validateAccessToken(bystander.accessToken)).sub).toBe(`${user}-x`);
    expect(await t.tokens().revokeAllForUser(user, { except: b.sessionId })).toBe(0);
    expect(await t.tokens().revokeAllForUser(user)).toBe(1);
  });

  it('a jti upper-cased or space-padded, signed with the real key, matches nothing', async () => {
    const pair = await t.tokens().createTokenPair('exact');
    const config = t.tokens().config;
    const access = payloadOf(pair.accessToken);
    const refresh = payloadOf(pair.refreshToken);
    for (const jti of [access.jti.toUpperCase(), `${access.jti} `, `${access.jti}   `]) {
      const forged = encodeToken({ ...access, jti }, config);
      expect(await codeOf(t.tokens().validateAccessToken(forged))).toBe('invalid_token');
      expect(await t.tokens().revokeToken(jti)).toBe(false);
    }
    for (const jti of [refresh.jti.toUpperCase(), `${refresh.jti} `]) {
      const forged = encodeToken({ ...refresh, jti }, config);
      expect(await codeOf(t.tokens().refresh(forged))).toBe('invalid_token');
    }
    const sid = encodeToken({ ...access, sid: access.sid.toUpperCase() }, config);
    expect(await codeOf(t.tokens().validateAccessToken(sid))).toBe('invalid_token');
    // The store itself compares exactly, whatever the column's collation.
    const { store } = t.fixture();
    expect(await store.lookup(access.jti.toUpperCase())).toBeNull();
    expect(await store.lookup(`${access.jti} `)).toBeNull();
    expect(await store.findSession(access.sid.toUpperCase())).toBeNull();
    expect(await store.revokeToken(access.jti.toUpperCase(), t.clock().now())).toBe(false);
    expect(await store.revokeSession(`${access.sid} `, t.clock().now())).toBe(false);
    // Nothing above touched the real session.
    expect((await t.tokens().validateAccessToken(pair.accessToken)).jti).toBe(access.jti);
    expect((await t.tokens().refresh(pair.refreshToken)).sessionId).toBe(pair.sessionId);
  });

  it('validations made at the same moment each get their own token’s answer', async () => {
    // The PostgreSQL store answers one event-loop turn's lookups with one statement: a batch
    // must never lend one token's row to another, nor let a forged jti match a neighbour's.
    const config = t.tokens().config;
    const live = await t.tokens().createTokenPair('batch-live');
    const other = await t.tokens().createTokenPair('batch-other');
    const dead = await t.tokens().createTokenPair('batch-dead');
    expect(await t.tokens().revokeSession(dead.sessionId)).toBe(true);
    const access = payloadOf(live.accessToken);
    const upper = encodeToken({ ...access, jti: access.jti.toUpperCase() }, config);
    const stolenSub = encodeToken({ ...access, sub: 'batch-other' }, config);
    const answers = await Promise.all(
      [live.accessToken, dead.accessToken, upper, other.accessToken, stolenSub, live.accessToken]
        .map((token) => t.tokens().validateAccessToken(token))
        .map((validation) =>
          validation.then(
            (claims) => `${claims.sub}:${claims.jti}`,
            (error: unknown) => (error instanceof AuthError ? error.code : String(error)),
          ),
        ),
    );
    expect(answers).toEqual([
      `batch-live:${access.jti}`,
      'token_revoked',
      'invalid_token',
      `batch-other:${payloadOf(other.accessToken).jti}`,
      'invalid_token',
      `batch-live:${access.jti}`,
    ]);
    const { store } = t.fixture();
    const rows = await Promise.all([
      store.lookup(access.jti),
      store.lookup(access.jti.toUpperCase()),
      store.lookup(payloadOf(dead.accessToken).jti),
    ]);
    expect(rows.map((row) => row?.jti ?? null)).toEqual([
      access.jti,
      null,
      payloadOf(dead.accessToken).jti,
    ]);
    expect(rows[2]?.sessionRevokedAt).toBe(t.clock().now());
    expect(rows[0]?.sessionRevokedAt).toBeNull();
  });

  it('user ids are compared exactly: "Alice" is not "alice" nor "Alice "', async () => {
    const pair = await t.tokens().createTokenPair('Alice');
    for (const other of ['alice', 'ALICE', 'Alice ']) {
      expect(await t.tokens().listSessions(other)).toEqual([]);
      expect(await t.tokens().revokeAllForUser(other)).toBe(0);
      expect(await t.tokens().revokeSession(pair.sessionId, other)).toBe(false);
      expect(await codeOf(t.tokens().createAccessToken(other, { sessionId: pair.sessionId }))).toBe(
        'token_revoked',
      );
    }
    expect((await t.tokens().listSessions('Alice')).map((s) => s.id)).toEqual([pair.sessionId]);
    expect((await t.tokens().validateAccessToken(pair.accessToken)).sub).toBe('Alice');
  });

  it('a token whose iat is in the future (beyond the leeway) is invalid_token', async () => {
    const pair = await t.tokens().createTokenPair('time-traveller');
    const claims = payloadOf(pair.accessToken);
    const config = t.tokens().config;
    const ahead = encodeToken({ ...claims, iat: claims.iat + 3_600 }, config);
    expect(await codeOf(t.tokens().validateAccessToken(ahead))).toBe('invalid_token');
    const justAhead = encodeToken({ ...claims, iat: claims.iat + 6 }, config);
    expect(await codeOf(t.tokens().validateAccessToken(justAhead))).toBe('invalid_token');
    const withinLeeway = encodeToken({ ...claims, iat: claims.iat + 5 }, config);
    expect((await t.tokens().validateAccessToken(withinLeeway)).sub).toBe('time-traveller');
  });
}
