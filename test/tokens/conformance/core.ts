import { expect, it } from 'vitest';
import { AuthConfigError, AuthError, encodeToken, type TokenPair } from '../../../src';
import { codeOf, DAY, payloadOf, type Conformance } from './harness';

/** Issue, validate, revoke, rotate, expire, list and purge: the store's original contract. */
export function coreSuite(t: Conformance): void {
  it('issues a pair whose tokens validate, with the registered claims', async () => {
    const pair = await t.tokens().createTokenPair(7, { claims: { email: 'a@example.com' } });
    expect(pair.tokenType).toBe('bearer');
    expect(pair.expiresIn).toBe(900);
    expect(pair.refreshExpiresIn).toBe(7 * 86_400);
    const access = await t.tokens().validateAccessToken(pair.accessToken);
    const refresh = await t.tokens().validateRefreshToken(pair.refreshToken);
    expect(access).toMatchObject({ sub: '7', type: 'access', iss: 'routing-controllers-auth' });
    expect(access.email).toBe('a@example.com');
    expect(access).not.toHaveProperty('role');
    expect(refresh.sid).toBe(access.sid);
    expect(refresh.jti).not.toBe(access.jti);
  });

  it('a claim not in the extraClaims allow-list throws instead of vanishing', async () => {
    // Before: { role } was dropped silently. Now the caller learns at once (AuthConfigError).
    const error = await t
      .tokens()
      .createTokenPair('claims-user', { claims: { email: 'a@example.com', role: 'admin' } })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AuthConfigError);
    expect(error).toMatchObject({ key: 'extraClaims', code: 'auth_config' });
    expect((error as Error).message).toMatch(/"role" is not listed in extraClaims/);
    expect(await t.tokens().listSessions('claims-user')).toEqual([]);
    const strict = t.service({ extraClaims: [] });
    await expect(strict.createTokenPair(1, { claims: { email: 'x@y' } })).rejects.toThrow(
      /extraClaims: the claim "email" is not listed in extraClaims/,
    );
  });

  it('never stores the raw token', async () => {
    const pair = await t.tokens().createTokenPair('raw-check');
    const rows = await t.fixture().tokenRows('raw-check');
    expect(rows).toHaveLength(2);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(pair.accessToken.split('.')[2]);
    expect(dump).not.toContain(pair.refreshToken.split('.')[2]);
  });

  it('keeps access and refresh tokens apart', async () => {
    const pair = await t.tokens().createTokenPair(1);
    expect(await codeOf(t.tokens().validateAccessToken(pair.refreshToken))).toBe(
      'wrong_token_type',
    );
    expect(await codeOf(t.tokens().validateRefreshToken(pair.accessToken))).toBe(
      'wrong_token_type',
    );
    expect(await codeOf(t.tokens().refresh(pair.accessToken))).toBe('wrong_token_type');
  });

  it('logout (revoke the session) kills both tokens at once', async () => {
    const pair = await t.tokens().createTokenPair(1);
    const other = await t.tokens().createTokenPair(1);
    const { sid } = await t.tokens().validateAccessToken(pair.accessToken);
    expect(await t.tokens().revokeSession(sid, 1)).toBe(true);
    expect(await codeOf(t.tokens().validateAccessToken(pair.accessToken))).toBe('token_revoked');
    expect(await codeOf(t.tokens().validateRefreshToken(pair.refreshToken))).toBe('token_revoked');
    expect(await codeOf(t.tokens().refresh(pair.refreshToken))).toBe('token_revoked');
    // The user's other session lives on.
    await expect(t.tokens().validateAccessToken(other.accessToken)).resolves.toMatchObject({
      sub: '1',
    });
    expect(await t.tokens().revokeSession(sid, 1)).toBe(false);
  });

  it('revokeSession with another user id touches nothing', async () => {
    const pair = await t.tokens().createTokenPair('owner');
    const { sid } = payloadOf(pair.accessToken);
    expect(await t.tokens().revokeSession(sid, 'intruder')).toBe(false);
    await expect(t.tokens().validateAccessToken(pair.accessToken)).resolves.toEqual(
      payloadOf(pair.accessToken),
    );
  });

  it('logout-all kills every session of the user and no one else', async () => {
    const a = await t.tokens().createTokenPair('u-all');
    const b = await t.tokens().createTokenPair('u-all');
    const bystander = await t.tokens().createTokenPair('u-other');
    expect(await t.tokens().revokeAllForUser('u-all')).toBe(2);
    for (const token of [a.accessToken, b.accessToken]) {
      expect(await codeOf(t.tokens().validateAccessToken(token))).toBe('token_revoked');
    }
    expect(await codeOf(t.tokens().refresh(b.refreshToken))).toBe('token_revoked');
    await expect(t.tokens().validateAccessToken(bystander.accessToken)).resolves.toEqual(
      payloadOf(bystander.accessToken),
    );
    expect(await t.tokens().listSessions('u-all')).toEqual([]);
  });

  it('revokes a single token by raw form or jti', async () => {
    const pair = await t.tokens().createTokenPair(3);
    expect(await t.tokens().revokeToken(pair.accessToken)).toBe(true);
    expect(await codeOf(t.tokens().validateAccessToken(pair.accessToken))).toBe('token_revoked');
    await expect(t.tokens().validateRefreshToken(pair.refreshToken)).resolves.toEqual(
      payloadOf(pair.refreshToken),
    );
    expect(await t.tokens().revokeToken(payloadOf(pair.refreshToken).jti)).toBe(true);
    expect(await codeOf(t.tokens().validateRefreshToken(pair.refreshToken))).toBe('token_revoked');
  });

  it('expires tokens by the clock: token_expired, no sleeping', async () => {
    const pair = await t.tokens().createTokenPair(1);
    t.clock().advance(15 * 60_000 + 6_000);
    expect(await codeOf(t.tokens().validateAccessToken(pair.accessToken))).toBe('token_expired');
    await expect(t.tokens().validateRefreshToken(pair.refreshToken)).resolves.toEqual(
      payloadOf(pair.refreshToken),
    );
    t.clock().advance(7 * DAY);
    expect(await codeOf(t.tokens().validateRefreshToken(pair.refreshToken))).toBe('token_expired');
    expect(await codeOf(t.tokens().refresh(pair.refreshToken))).toBe('token_expired');
  });

  it('refresh rotates: a new pair is born, the used refresh token dies', async () => {
    const first = await t.tokens().createTokenPair(5);
    t.clock().advance(60_000);
    const second = await t.tokens().refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(payloadOf(second.accessToken).sid).toBe(payloadOf(first.accessToken).sid);
    await expect(t.tokens().validateAccessToken(second.accessToken)).resolves.toEqual(
      payloadOf(second.accessToken),
    );
    await expect(t.tokens().validateRefreshToken(second.refreshToken)).resolves.toEqual(
      payloadOf(second.refreshToken),
    );
    // The old access token is not killed by rotation: it simply expires.
    await expect(t.tokens().validateAccessToken(first.accessToken)).resolves.toEqual(
      payloadOf(first.accessToken),
    );
    // Presenting the used refresh token anywhere (here: validation) is a replay: the session dies.
    expect(await codeOf(t.tokens().validateRefreshToken(first.refreshToken))).toBe(
      'refresh_token_reused',
    );
    expect(await codeOf(t.tokens().validateAccessToken(second.accessToken))).toBe('token_revoked');
  });

  it('a replayed refresh token revokes the whole session, newest tokens included', async () => {
    const first = await t.tokens().createTokenPair(5);
    const second = await t.tokens().refresh(first.refreshToken);
    const third = await t.tokens().refresh(second.refreshToken);
    expect(await codeOf(t.tokens().refresh(first.refreshToken))).toBe('refresh_token_reused');
    for (const token of [third.accessToken, second.accessToken]) {
      expect(await codeOf(t.tokens().validateAccessToken(token))).toBe('token_revoked');
    }
    expect(await codeOf(t.tokens().refresh(third.refreshToken))).toBe('token_revoked');
  });

  it('20 concurrent refreshes of one token: exactly one succeeds, the rest get a coded error', async () => {
    const pair = await t.tokens().createTokenPair('racer');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => t.tokens().refresh(pair.refreshToken)),
      );
      const won = results.filter(
        (r): r is PromiseFulfilledResult<TokenPair> => r.status === 'fulfilled',
      );
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(19);
      for (const r of lost) {
        expect(r.reason).toBeInstanceOf(AuthError);
        expect(['refresh_token_reused', 'token_revoked']).toContain((r.reason as AuthError).code);
      }
      // Exactly one successor was recorded for the used token.
      const rows = await t.fixture().tokenRows('racer');
      const used = rows.find((r) => r.jti === payloadOf(pair.refreshToken).jti);
      // …and it is the winner's refresh token.
      expect(used?.replacedBy).toBe(payloadOf(won[0]?.value.refreshToken ?? '').jti);
      const refreshRows = rows.filter((r) => r.type === 'refresh');
      expect(refreshRows).toHaveLength(2);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('refresh never extends the absolute session lifetime', async () => {
    const first = await t.tokens().createTokenPair(9);
    const end = payloadOf(first.refreshToken).exp;
    let current = first;
    for (let day = 1; day <= 6; day++) {
      t.clock().advance(DAY);
      current = await t.tokens().refresh(current.refreshToken);
      expect(payloadOf(current.refreshToken).exp).toBe(end);
      expect(payloadOf(current.accessToken).exp).toBeLessThanOrEqual(end);
    }
    t.clock().advance(DAY + 10_000);
    expect(await codeOf(t.tokens().refresh(current.refreshToken))).toBe('token_expired');
  });

  it('rejects an unknown jti, a jti of another user, and a foreign session id', async () => {
    const config = t.tokens().config;
    const victim = await t.tokens().createTokenPair('victim');
    const attacker = await t.tokens().createTokenPair('attacker');
    const v = payloadOf(victim.accessToken);
    const a = payloadOf(attacker.accessToken);
    // Validly signed (an insider with the key, or a bug elsewhere), but unknown to the store.
    const unknown = encodeToken({ ...a, jti: '11111111-1111-4111-8111-111111111111' }, config);
    expect(await codeOf(t.tokens().validateAccessToken(unknown))).toBe('invalid_token');
    // The attacker's sub with the victim's jti: the row belongs to someone else.
    const borrowed = encodeToken({ ...a, jti: v.jti, sid: v.sid }, config);
    expect(await codeOf(t.tokens().validateAccessToken(borrowed))).toBe('invalid_token');
    // The right jti and sub but another session id.
    const moved = encodeToken({ ...v, sid: a.sid }, config);
    expect(await codeOf(t.tokens().validateAccessToken(moved))).toBe('invalid_token');
    // A refresh row presented as an access token by re-signing with type flipped.
    const flipped = encodeToken({ ...payloadOf(victim.refreshToken), type: 'access' }, config);
    expect(await codeOf(t.tokens().validateAccessToken(flipped))).toBe('invalid_token');
    const stolenRefresh = encodeToken(
      { ...payloadOf(victim.refreshToken), sub: 'attacker' },
      config,
    );
    expect(await codeOf(t.tokens().refresh(stolenRefresh))).toBe('invalid_token');
    // The victim's session is untouched by all of this.
    await expect(t.tokens().refresh(victim.refreshToken)).resolves.toMatchObject({
      tokenType: 'bearer',
      sessionId: payloadOf(victim.refreshToken).sid,
    });
  });

  it('issues single tokens, alone or joining a live session', async () => {
    const solo = await t.tokens().createAccessToken('solo');
    const claims = await t.tokens().validateAccessToken(solo);
    const joined = await t.tokens().createRefreshToken('solo', { sessionId: claims.sid });
    expect((await t.tokens().validateRefreshToken(joined)).sid).toBe(claims.sid);
    expect(
      await codeOf(t.tokens().createAccessToken('someone-else', { sessionId: claims.sid })),
    ).toBe('token_revoked');
    await t.tokens().revokeSession(claims.sid);
    expect(await codeOf(t.tokens().createAccessToken('solo', { sessionId: claims.sid }))).toBe(
      'token_revoked',
    );
  });

  it("lists a user's live sessions with agent, ip and last use", async () => {
    const user = `lister-${t.engine}`;
    const a = await t.tokens().createTokenPair(user, { userAgent: 'curl/8.0', ip: '203.0.113.9' });
    t.clock().advance(1_000);
    await t.tokens().createTokenPair(user, { userAgent: 'x'.repeat(600) });
    t.clock().advance(1_000);
    await t.tokens().refresh(a.refreshToken);
    const sessions = await t.tokens().listSessions(user);
    expect(sessions).toHaveLength(2);
    const [newest, oldest] = sessions;
    expect(newest?.userAgent).toHaveLength(512);
    expect(oldest).toMatchObject({
      id: payloadOf(a.accessToken).sid,
      userAgent: 'curl/8.0',
      ip: '203.0.113.9',
    });
    expect(oldest?.lastUsedAt.getTime()).toBe(t.clock().now());
    expect(oldest?.createdAt.getTime()).toBe(t.clock().now() - 2_000);
    await t.tokens().revokeSession(newest?.id ?? '');
    expect(await t.tokens().listSessions(user)).toHaveLength(1);
  });

  it('purges expired rows and keeps live ones', async () => {
    const user = `purge-${t.engine}`;
    const old = await t.tokens().createTokenPair(user);
    t.clock().advance(8 * DAY);
    const fresh = await t.tokens().createTokenPair(user);
    const result = await t.tokens().purgeExpired();
    expect(result.tokens).toBeGreaterThanOrEqual(2);
    expect(result.sessions).toBeGreaterThanOrEqual(1);
    const left = await t.fixture().tokenRows(user);
    expect(left.map((r) => r.jti).sort()).toEqual(
      [payloadOf(fresh.accessToken).jti, payloadOf(fresh.refreshToken).jti].sort(),
    );
    expect(await codeOf(t.tokens().validateRefreshToken(old.refreshToken))).toBe('token_expired');
  });

  it('purges in batches smaller than the table: every expired row goes, every live one stays', async () => {
    const user = `batches-${t.engine}`;
    const tokens = t.service({ purgeBatchSize: 3 });
    const expired = [];
    for (let i = 0; i < 7; i++) expired.push(await tokens.createTokenPair(user));
    t.clock().advance(8 * DAY);
    const live = [await tokens.createTokenPair(user), await tokens.createTokenPair(user)];
    expect(await t.fixture().tokenRows(user)).toHaveLength(18);
    const result = await tokens.purgeExpired();
    // 14 tokens and 7 sessions of this user (more from earlier tests on the same store).
    expect(result.tokens).toBeGreaterThanOrEqual(14);
    expect(result.sessions).toBeGreaterThanOrEqual(7);
    const left = await t.fixture().tokenRows(user);
    const jtis = (pair: TokenPair) =>
      [pair.accessToken, pair.refreshToken].map((x) => payloadOf(x).jti);
    expect(left.map((r) => r.jti).sort()).toEqual(live.flatMap(jtis).sort());
    // Nothing expired is left anywhere: the next purge finds nothing.
    expect(await tokens.purgeExpired()).toEqual({ tokens: 0, sessions: 0 });
    for (const pair of live) {
      expect((await tokens.validateAccessToken(pair.accessToken)).sub).toBe(user);
      expect(await tokens.listSessions(user)).toHaveLength(2);
    }
    for (const pair of expired) {
      expect(await codeOf(tokens.validateRefreshToken(pair.refreshToken))).toBe('token_expired');
    }
  });

  it('two purges at once (two instances) both succeed; every expired row goes, every live one stays', async () => {
    const user = `twice-${t.engine}`;
    const a = t.service({ purgeBatchSize: 2 });
    const b = t.service({ purgeBatchSize: 2 });
    for (let i = 0; i < 12; i++) await a.createTokenPair(user);
    t.clock().advance(8 * DAY);
    const live = await a.createTokenPair(user);
    // Side by side on one database: on PostgreSQL and MariaDB each on its own connection.
    const both = await Promise.all([a.purgeExpired(), b.purgeExpired()]);
    // Either may stop early on rows the other took; what is left goes in the next purge.
    const rest = await a.purgeExpired();
    const deleted = [...both, rest].reduce((n, r) => n + r.tokens, 0);
    expect(deleted).toBeGreaterThanOrEqual(24);
    expect((await t.fixture().tokenRows(user)).map((r) => r.jti).sort()).toEqual(
      [live.accessToken, live.refreshToken].map((x) => payloadOf(x).jti).sort(),
    );
    expect(await b.purgeExpired()).toEqual({ tokens: 0, sessions: 0 });
    expect((await b.validateAccessToken(live.accessToken)).sub).toBe(user);
  });

  it('a purge stopped by its signal deletes nothing more; the next one does', async () => {
    const user = `aborted-${t.engine}`;
    await t.tokens().createTokenPair(user);
    t.clock().advance(8 * DAY);
    const stopped = new AbortController();
    stopped.abort();
    expect(await t.tokens().purgeExpired({ signal: stopped.signal })).toEqual({
      tokens: 0,
      sessions: 0,
    });
    expect(await t.fixture().tokenRows(user)).toHaveLength(2);
    const result = await t.tokens().purgeExpired({ batchSize: 1 });
    expect(result.tokens).toBeGreaterThanOrEqual(2);
    expect(await t.fixture().tokenRows(user)).toHaveLength(0);
  });

  it('validations are answered between two batches of a purge', async () => {
    const user = `between-${t.engine}`;
    for (let i = 0; i < 10; i++) await t.tokens().createTokenPair(user);
    t.clock().advance(8 * DAY);
    const live = await t.tokens().createTokenPair(user);
    const order: string[] = [];
    // 20 tokens and 10 sessions, one a transaction: 30 batches, with the event loop free between.
    const purge = t
      .tokens()
      .purgeExpired({ batchSize: 1 })
      .then((result) => {
        order.push('purge');
        return result;
      });
    const validated = t
      .tokens()
      .validateAccessToken(live.accessToken)
      .then((claims) => {
        order.push('validation');
        return claims;
      });
    const [result, claims] = await Promise.all([purge, validated]);
    expect(claims.sub).toBe(user);
    expect(result.tokens).toBeGreaterThanOrEqual(20);
    expect(order).toEqual(['validation', 'purge']);
  });
}
