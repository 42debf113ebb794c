import { expect, it } from 'vitest';
import { AuthConfigError, TooManyRequestsError, type TokenPair } from '../../../src';
import { codeOf, payloadOf, type Conformance } from './harness';

/** Bounded rotation, reuse through generations, the grace window, claims, the refresh rate. */
export function rotationSuite(t: Conformance): void {
  const liveRefreshRows = async (user: string) =>
    (await t.fixture().tokenRows(user)).filter((r) => r.type === 'refresh' && r.revokedAt === null);

  it('a session rotated 200 times holds 4 rows: its current and its previous pair', async () => {
    const user = `rotor-${t.engine}`;
    const first = await t.tokens().createTokenPair(user);
    let current = first;
    for (let i = 1; i <= 200; i++) {
      t.clock().advance(2_000); // 30 a minute: the default refresh rate limit
      current = await t.tokens().refresh(current.refreshToken);
    }
    const rows = await t.fixture().tokenRows(user);
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r.type).sort()).toEqual(['access', 'access', 'refresh', 'refresh']);
    expect(payloadOf(current.refreshToken).gen).toBe(200);
    expect((await t.tokens().validateAccessToken(current.accessToken)).sub).toBe(user);
    // The first refresh token's row is long gone; its generation still gives it away as reuse.
    expect(await codeOf(t.tokens().refresh(first.refreshToken))).toBe('refresh_token_reused');
    expect(await codeOf(t.tokens().validateAccessToken(current.accessToken))).toBe('token_revoked');
    expect(await t.tokens().listSessions(user)).toEqual([]);
  });

  it('validating a refresh token of a deleted generation is reuse too', async () => {
    const first = await t.tokens().createTokenPair('gen-validate');
    const second = await t.tokens().refresh(first.refreshToken);
    const third = await t.tokens().refresh(second.refreshToken);
    expect((await t.fixture().tokenRows('gen-validate')).map((r) => r.jti)).not.toContain(
      payloadOf(first.refreshToken).jti,
    );
    expect(await codeOf(t.tokens().validateRefreshToken(first.refreshToken))).toBe(
      'refresh_token_reused',
    );
    expect(await codeOf(t.tokens().refresh(third.refreshToken))).toBe('token_revoked');
  });

  it('an access token outlives one rotation of its session, not two', async () => {
    const first = await t.tokens().createTokenPair('two-gens');
    const second = await t.tokens().refresh(first.refreshToken);
    expect((await t.tokens().validateAccessToken(first.accessToken)).jti).toBe(
      payloadOf(first.accessToken).jti,
    );
    await t.tokens().refresh(second.refreshToken);
    expect(await codeOf(t.tokens().validateAccessToken(first.accessToken))).toBe('invalid_token');
    expect((await t.tokens().validateAccessToken(second.accessToken)).sub).toBe('two-gens');
  });

  it('grace off (default): of two concurrent refreshes one wins, the other revokes the session', async () => {
    const pair = await t.tokens().createTokenPair('strict-pair');
    const [a, b] = await Promise.allSettled([
      t.tokens().refresh(pair.refreshToken),
      t.tokens().refresh(pair.refreshToken),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual(['fulfilled', 'rejected']);
    const won = a.status === 'fulfilled' ? a.value : (b as PromiseFulfilledResult<TokenPair>).value;
    expect(await codeOf(t.tokens().validateAccessToken(won.accessToken))).toBe('token_revoked');
  });

  it('grace on: 20 concurrent refreshes all get the same successor; one live refresh token', async () => {
    const tokens = t.service({ refreshReuseGraceSeconds: 10 });
    const user = `grace-race-${t.engine}`;
    const pair = await tokens.createTokenPair(user);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => tokens.refresh(pair.refreshToken)),
    );
    const [first] = results;
    for (const result of results) expect(result).toEqual(first);
    expect(first?.refreshToken).not.toBe(pair.refreshToken);
    expect(payloadOf(first?.refreshToken ?? '').gen).toBe(1);
    const live = await liveRefreshRows(user);
    expect(live.map((r) => r.jti)).toEqual([payloadOf(first?.refreshToken ?? '').jti]);
    expect(await t.fixture().tokenRows(user)).toHaveLength(4);
    expect((await tokens.validateAccessToken(first?.accessToken ?? '')).sub).toBe(user);
    expect(await tokens.listSessions(user)).toHaveLength(1);
    // The successor rotates normally afterwards.
    const next = await tokens.refresh(first?.refreshToken ?? '');
    expect(payloadOf(next.refreshToken).gen).toBe(2);
  });

  it('grace on: a replay within the window returns the same pair and writes no rows', async () => {
    const tokens = t.service({ refreshReuseGraceSeconds: 10 });
    const user = 'grace-replay';
    const pair = await tokens.createTokenPair(user, { claims: { email: 'g@example.com' } });
    t.clock().advance(1_000);
    const successor = await tokens.refresh(pair.refreshToken);
    const rows = await t.fixture().tokenRows(user);
    t.clock().advance(10_000);
    const again = await tokens.refresh(pair.refreshToken, { claims: { email: 'other@x' } });
    expect(again.refreshToken).toBe(successor.refreshToken);
    expect(again.accessToken).toBe(successor.accessToken);
    expect(again.expiresIn).toBe(successor.expiresIn - 10);
    expect(payloadOf(again.accessToken).email).toBe('g@example.com');
    expect(await t.fixture().tokenRows(user)).toEqual(rows);
    // Validation of the just-rotated token within the window is not reuse either.
    expect((await tokens.validateRefreshToken(pair.refreshToken)).jti).toBe(
      payloadOf(pair.refreshToken).jti,
    );
  });

  it('grace on: after the window, presenting the rotated token is reuse', async () => {
    const tokens = t.service({ refreshReuseGraceSeconds: 10 });
    const pair = await tokens.createTokenPair('grace-late');
    const successor = await tokens.refresh(pair.refreshToken);
    t.clock().advance(10_001);
    expect(await codeOf(tokens.refresh(pair.refreshToken))).toBe('refresh_token_reused');
    expect(await codeOf(tokens.validateAccessToken(successor.accessToken))).toBe('token_revoked');
  });

  it('grace on: an older generation inside the window is reuse', async () => {
    const tokens = t.service({ refreshReuseGraceSeconds: 60 });
    const first = await tokens.createTokenPair('grace-old');
    const second = await tokens.refresh(first.refreshToken);
    const third = await tokens.refresh(second.refreshToken);
    expect(await codeOf(tokens.refresh(first.refreshToken))).toBe('refresh_token_reused');
    expect(await codeOf(tokens.validateAccessToken(third.accessToken))).toBe('token_revoked');
    expect(await codeOf(tokens.refresh(third.refreshToken))).toBe('token_revoked');
  });

  it('claims issued with a session are carried over on refresh; fresh ones overlay them', async () => {
    const pair = await t.tokens().createTokenPair('claimant', {
      claims: { impersonated_by: 'admin-1', email: 'old@example.com' },
    });
    const plain = await t.tokens().refresh(pair.refreshToken);
    expect(payloadOf(plain.accessToken)).toMatchObject({
      impersonated_by: 'admin-1',
      email: 'old@example.com',
    });
    const overlaid = await t.tokens().refresh(plain.refreshToken, {
      claims: { email: 'new@example.com' },
    });
    const access = await t.tokens().validateAccessToken(overlaid.accessToken);
    expect([access.impersonated_by, access.email]).toEqual(['admin-1', 'new@example.com']);
    expect(payloadOf(overlaid.refreshToken).email).toBe('new@example.com');
    const after = await t.tokens().refresh(overlaid.refreshToken);
    expect(payloadOf(after.accessToken).email).toBe('new@example.com');
  });

  it('a refresh with an unlisted claim throws before the token is spent', async () => {
    const pair = await t.tokens().createTokenPair('claim-typo');
    const error = await t
      .tokens()
      .refresh(pair.refreshToken, { claims: { emial: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthConfigError);
    expect((error as AuthConfigError).key).toBe('extraClaims');
    expect((await t.tokens().refresh(pair.refreshToken)).tokenType).toBe('bearer');
  });

  it('refreshes past the per-session rate answer too_many_requests with the wait, then recover', async () => {
    const tokens = t.service({ refreshRateLimit: 3 });
    let current = await tokens.createTokenPair('hasty');
    const bystander = await tokens.createTokenPair('hasty');
    for (let i = 0; i < 3; i++) {
      t.clock().advance(5_000);
      current = await tokens.refresh(current.refreshToken);
    }
    t.clock().advance(5_000);
    const error = await tokens.refresh(current.refreshToken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect(error).toMatchObject({ status: 429, code: 'too_many_requests' });
    // The window opened at the first refresh, 15 s ago.
    expect((error as TooManyRequestsError).retryAfterSeconds).toBe(45);
    // Another session of the same user is counted on its own; the refused token is not spent.
    expect((await tokens.refresh(bystander.refreshToken)).tokenType).toBe('bearer');
    t.clock().advance(45_000);
    expect((await tokens.refresh(current.refreshToken)).tokenType).toBe('bearer');
  });

  it('the default refresh rate is 30 a minute per session', async () => {
    let current = await t.tokens().createTokenPair('rate-default');
    for (let i = 0; i < 30; i++) current = await t.tokens().refresh(current.refreshToken);
    expect(await codeOf(t.tokens().refresh(current.refreshToken))).toBe('too_many_requests');
  });
}
