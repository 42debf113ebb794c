import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  AUTH_ENTITIES,
  AuthError,
  AuthTokenEntity,
  encodeToken,
  resolveAuthConfig,
  TokenService,
  type TokenClaims,
} from '../../src';
import { TEST_SECRET, testClock, type TestClock } from '../support/clock';
import { closeDataSource, describeEngines, openDataSource } from '../support/engines';

const DAY = 86_400_000;

function payloadOf(token: string): TokenClaims {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as TokenClaims;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as AuthError).code;
  }
  return 'resolved';
}

describeEngines('token store', (engine) => {
  let ds: DataSource;
  let clock: TestClock;
  let tokens: TokenService;

  beforeAll(async () => {
    ds = await openDataSource(engine, { entities: [...AUTH_ENTITIES] });
  });
  afterAll(() => closeDataSource(ds));
  beforeEach(() => {
    clock = testClock();
    tokens = new TokenService(
      ds,
      resolveAuthConfig({ secretKey: TEST_SECRET, now: clock.now, extraClaims: ['email'] }, {}),
    );
  });

  it('issues a pair whose tokens validate, with the registered claims', async () => {
    const pair = await tokens.createTokenPair(7, {
      claims: { email: 'a@example.com', role: 'admin' },
    });
    expect(pair.tokenType).toBe('bearer');
    expect(pair.expiresIn).toBe(900);
    expect(pair.refreshExpiresIn).toBe(7 * 86_400);
    const access = await tokens.validateAccessToken(pair.accessToken);
    const refresh = await tokens.validateRefreshToken(pair.refreshToken);
    expect(access).toMatchObject({ sub: '7', type: 'access', iss: 'routing-controllers-auth' });
    expect(access.email).toBe('a@example.com');
    expect(access).not.toHaveProperty('role'); // not in the extraClaims allow-list
    expect(refresh.sid).toBe(access.sid);
    expect(refresh.jti).not.toBe(access.jti);
  });

  it('never stores the raw token', async () => {
    const pair = await tokens.createTokenPair('raw-check');
    const rows = await ds.getRepository(AuthTokenEntity).findBy({ userId: 'raw-check' });
    expect(rows).toHaveLength(2);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(pair.accessToken.split('.')[2]);
    expect(dump).not.toContain(pair.refreshToken.split('.')[2]);
  });

  it('keeps access and refresh tokens apart', async () => {
    const pair = await tokens.createTokenPair(1);
    expect(await codeOf(tokens.validateAccessToken(pair.refreshToken))).toBe('wrong_token_type');
    expect(await codeOf(tokens.validateRefreshToken(pair.accessToken))).toBe('wrong_token_type');
    expect(await codeOf(tokens.refresh(pair.accessToken))).toBe('wrong_token_type');
  });

  it('logout (revoke the session) kills both tokens at once', async () => {
    const pair = await tokens.createTokenPair(1);
    const other = await tokens.createTokenPair(1);
    const { sid } = await tokens.validateAccessToken(pair.accessToken);
    expect(await tokens.revokeSession(sid, 1)).toBe(true);
    expect(await codeOf(tokens.validateAccessToken(pair.accessToken))).toBe('token_revoked');
    expect(await codeOf(tokens.validateRefreshToken(pair.refreshToken))).toBe('token_revoked');
    expect(await codeOf(tokens.refresh(pair.refreshToken))).toBe('token_revoked');
    // The user's other session lives on.
    await expect(tokens.validateAccessToken(other.accessToken)).resolves.toMatchObject({
      sub: '1',
    });
    expect(await tokens.revokeSession(sid, 1)).toBe(false);
  });

  it('revokeSession with another user id touches nothing', async () => {
    const pair = await tokens.createTokenPair('owner');
    const { sid } = payloadOf(pair.accessToken);
    expect(await tokens.revokeSession(sid, 'intruder')).toBe(false);
    await expect(tokens.validateAccessToken(pair.accessToken)).resolves.toBeDefined();
  });

  it('logout-all kills every session of the user and no one else', async () => {
    const a = await tokens.createTokenPair('u-all');
    const b = await tokens.createTokenPair('u-all');
    const bystander = await tokens.createTokenPair('u-other');
    expect(await tokens.revokeAllForUser('u-all')).toBe(2);
    for (const t of [a.accessToken, b.accessToken]) {
      expect(await codeOf(tokens.validateAccessToken(t))).toBe('token_revoked');
    }
    expect(await codeOf(tokens.refresh(b.refreshToken))).toBe('token_revoked');
    await expect(tokens.validateAccessToken(bystander.accessToken)).resolves.toBeDefined();
    expect(await tokens.listSessions('u-all')).toEqual([]);
  });

  it('revokes a single token by raw form or jti', async () => {
    const pair = await tokens.createTokenPair(3);
    expect(await tokens.revokeToken(pair.accessToken)).toBe(true);
    expect(await codeOf(tokens.validateAccessToken(pair.accessToken))).toBe('token_revoked');
    await expect(tokens.validateRefreshToken(pair.refreshToken)).resolves.toBeDefined();
    expect(await tokens.revokeToken(payloadOf(pair.refreshToken).jti)).toBe(true);
    expect(await codeOf(tokens.validateRefreshToken(pair.refreshToken))).toBe('token_revoked');
  });

  it('expires tokens by the clock: token_expired, no sleeping', async () => {
    const pair = await tokens.createTokenPair(1);
    clock.advance(15 * 60_000 + 6_000);
    expect(await codeOf(tokens.validateAccessToken(pair.accessToken))).toBe('token_expired');
    await expect(tokens.validateRefreshToken(pair.refreshToken)).resolves.toBeDefined();
    clock.advance(7 * DAY);
    expect(await codeOf(tokens.validateRefreshToken(pair.refreshToken))).toBe('token_expired');
    expect(await codeOf(tokens.refresh(pair.refreshToken))).toBe('token_expired');
  });

  it('refresh rotates: a new pair is born, the used refresh token dies', async () => {
    const first = await tokens.createTokenPair(5);
    clock.advance(60_000);
    const second = await tokens.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(payloadOf(second.accessToken).sid).toBe(payloadOf(first.accessToken).sid);
    await expect(tokens.validateAccessToken(second.accessToken)).resolves.toBeDefined();
    await expect(tokens.validateRefreshToken(second.refreshToken)).resolves.toBeDefined();
    // The old access token is not killed by rotation: it simply expires.
    await expect(tokens.validateAccessToken(first.accessToken)).resolves.toBeDefined();
    // Presenting the used refresh token anywhere (here: validation) is a replay: the session dies.
    expect(await codeOf(tokens.validateRefreshToken(first.refreshToken))).toBe(
      'refresh_token_reused',
    );
    expect(await codeOf(tokens.validateAccessToken(second.accessToken))).toBe('token_revoked');
  });

  it('a replayed refresh token revokes the whole session, newest tokens included', async () => {
    const first = await tokens.createTokenPair(5);
    const second = await tokens.refresh(first.refreshToken);
    const third = await tokens.refresh(second.refreshToken);
    expect(await codeOf(tokens.refresh(first.refreshToken))).toBe('refresh_token_reused');
    for (const t of [third.accessToken, second.accessToken]) {
      expect(await codeOf(tokens.validateAccessToken(t))).toBe('token_revoked');
    }
    expect(await codeOf(tokens.refresh(third.refreshToken))).toBe('token_revoked');
  });

  it('20 concurrent refreshes of one token: exactly one succeeds, the rest get a coded error', async () => {
    const pair = await tokens.createTokenPair('racer');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => tokens.refresh(pair.refreshToken)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const r of lost) {
        expect(r.reason).toBeInstanceOf(AuthError);
        expect(['refresh_token_reused', 'token_revoked']).toContain((r.reason as AuthError).code);
      }
      // Exactly one successor was recorded for the used token.
      const used = await ds
        .getRepository(AuthTokenEntity)
        .findOneByOrFail({ jti: payloadOf(pair.refreshToken).jti });
      expect(used.replacedBy).not.toBeNull();
      const refreshRows = await ds
        .getRepository(AuthTokenEntity)
        .findBy({ userId: 'racer', type: 'refresh' });
      expect(refreshRows).toHaveLength(2);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('refresh never extends the absolute session lifetime', async () => {
    const first = await tokens.createTokenPair(9);
    const end = payloadOf(first.refreshToken).exp;
    let current = first;
    for (let day = 1; day <= 6; day++) {
      clock.advance(DAY);
      current = await tokens.refresh(current.refreshToken);
      expect(payloadOf(current.refreshToken).exp).toBe(end);
      expect(payloadOf(current.accessToken).exp).toBeLessThanOrEqual(end);
    }
    clock.advance(DAY + 10_000);
    expect(await codeOf(tokens.refresh(current.refreshToken))).toBe('token_expired');
  });

  it('rejects an unknown jti, a jti of another user, and a foreign session id', async () => {
    const config = tokens.config;
    const victim = await tokens.createTokenPair('victim');
    const attacker = await tokens.createTokenPair('attacker');
    const v = payloadOf(victim.accessToken);
    const a = payloadOf(attacker.accessToken);
    // Validly signed (an insider with the key, or a bug elsewhere), but unknown to the store.
    const unknown = encodeToken({ ...a, jti: '11111111-1111-4111-8111-111111111111' }, config);
    expect(await codeOf(tokens.validateAccessToken(unknown))).toBe('invalid_token');
    // The attacker's sub with the victim's jti: the row belongs to someone else.
    const borrowed = encodeToken({ ...a, jti: v.jti, sid: v.sid }, config);
    expect(await codeOf(tokens.validateAccessToken(borrowed))).toBe('invalid_token');
    // The right jti and sub but another session id.
    const moved = encodeToken({ ...v, sid: a.sid }, config);
    expect(await codeOf(tokens.validateAccessToken(moved))).toBe('invalid_token');
    // A refresh row presented as an access token by re-signing with type flipped.
    const flipped = encodeToken({ ...payloadOf(victim.refreshToken), type: 'access' }, config);
    expect(await codeOf(tokens.validateAccessToken(flipped))).toBe('invalid_token');
    const stolenRefresh = encodeToken(
      { ...payloadOf(victim.refreshToken), sub: 'attacker' },
      config,
    );
    expect(await codeOf(tokens.refresh(stolenRefresh))).toBe('invalid_token');
    // The victim's session is untouched by all of this.
    await expect(tokens.refresh(victim.refreshToken)).resolves.toBeDefined();
  });

  it('issues single tokens, alone or joining a live session', async () => {
    const solo = await tokens.createAccessToken('solo');
    const claims = await tokens.validateAccessToken(solo);
    const joined = await tokens.createRefreshToken('solo', { sessionId: claims.sid });
    expect((await tokens.validateRefreshToken(joined)).sid).toBe(claims.sid);
    expect(await codeOf(tokens.createAccessToken('someone-else', { sessionId: claims.sid }))).toBe(
      'token_revoked',
    );
    await tokens.revokeSession(claims.sid);
    expect(await codeOf(tokens.createAccessToken('solo', { sessionId: claims.sid }))).toBe(
      'token_revoked',
    );
  });

  it("lists a user's live sessions with agent, ip and last use", async () => {
    const user = `lister-${engine}`;
    const a = await tokens.createTokenPair(user, { userAgent: 'curl/8.0', ip: '203.0.113.9' });
    clock.advance(1_000);
    await tokens.createTokenPair(user, { userAgent: 'x'.repeat(600) });
    clock.advance(1_000);
    await tokens.refresh(a.refreshToken);
    const sessions = await tokens.listSessions(user);
    expect(sessions).toHaveLength(2);
    const [newest, oldest] = sessions;
    expect(newest?.userAgent).toHaveLength(512);
    expect(oldest).toMatchObject({
      id: payloadOf(a.accessToken).sid,
      userAgent: 'curl/8.0',
      ip: '203.0.113.9',
    });
    expect(oldest?.lastUsedAt.getTime()).toBe(clock.now());
    expect(oldest?.createdAt.getTime()).toBe(clock.now() - 2_000);
    await tokens.revokeSession(newest?.id ?? '');
    expect(await tokens.listSessions(user)).toHaveLength(1);
  });

  it('purges expired rows and keeps live ones', async () => {
    const user = `purge-${engine}`;
    const old = await tokens.createTokenPair(user);
    clock.advance(8 * DAY);
    const fresh = await tokens.createTokenPair(user);
    const result = await tokens.purgeExpired();
    expect(result.tokens).toBeGreaterThanOrEqual(2);
    expect(result.sessions).toBeGreaterThanOrEqual(1);
    const left = await ds.getRepository(AuthTokenEntity).findBy({ userId: user });
    expect(left.map((r) => r.jti).sort()).toEqual(
      [payloadOf(fresh.accessToken).jti, payloadOf(fresh.refreshToken).jti].sort(),
    );
    expect(await codeOf(tokens.validateRefreshToken(old.refreshToken))).toBe('token_expired');
  });
});
