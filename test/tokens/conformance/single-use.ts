import { expect, it } from 'vitest';
import { AuthError } from '../../../src';
import { codeOf, payloadOf, type Conformance } from './harness';

/** Verify, reset and mfa tokens: recorded, purpose-bound, consumed exactly once. */
export function singleUseSuite(t: Conformance): void {
  it('a verify token is consumed once; the second use is token_revoked', async () => {
    const token = await t.tokens().createToken('verify', 'reader', {
      claims: { email: 'r@example.com' },
    });
    const claims = await t.tokens().consumeToken(token, 'verify');
    expect([claims.type, claims.sub, claims.email]).toEqual(['verify', 'reader', 'r@example.com']);
    expect(claims.exp - claims.iat).toBe(1440 * 60);
    expect(await codeOf(t.tokens().consumeToken(token, 'verify'))).toBe('token_revoked');
  });

  it('of 10 concurrent consumptions of one reset token exactly one succeeds', async () => {
    const token = await t.tokens().createToken('reset', 'racer-reset');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => t.tokens().consumeToken(token, 'reset')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(AuthError);
        expect((r.reason as AuthError).code).toBe('token_revoked');
      }
    }
  });

  it('single-use tokens are not sessions: not listed, not counted against the cap', async () => {
    const tokens = t.service({ maxSessionsPerUser: 1 });
    const login = await tokens.createTokenPair('mailbox');
    const verify = await tokens.createToken('verify', 'mailbox');
    const mfa = await tokens.createToken('mfa', 'mailbox');
    expect((await tokens.listSessions('mailbox')).map((s) => s.id)).toEqual([login.sessionId]);
    expect((await tokens.validateAccessToken(login.accessToken)).sub).toBe('mailbox');
    expect(payloadOf(mfa).exp - payloadOf(mfa).iat).toBe(300);
    expect((await tokens.consumeToken(verify, 'verify')).sub).toBe('mailbox');
  });

  it('a reset token expires after resetTokenExpireMinutes and dies with revokeAllForUser', async () => {
    const late = await t.tokens().createToken('reset', 'forgetful');
    const killed = await t.tokens().createToken('reset', 'forgetful');
    await t.tokens().revokeAllForUser('forgetful');
    expect(await codeOf(t.tokens().consumeToken(killed, 'reset'))).toBe('token_revoked');
    const fresh = await t.tokens().createToken('reset', 'forgetful');
    t.clock().advance(60 * 60_000 + 6_000);
    expect(await codeOf(t.tokens().consumeToken(fresh, 'reset'))).toBe('token_expired');
    expect(await codeOf(t.tokens().consumeToken(late, 'reset'))).toBe('token_expired');
  });

  it('a single-use token is never accepted for another purpose, stored or not', async () => {
    const verify = await t.tokens().createToken('verify', 'purposeful');
    const reset = await t.tokens().createToken('reset', 'purposeful');
    const pair = await t.tokens().createTokenPair('purposeful');
    expect(await codeOf(t.tokens().consumeToken(verify, 'reset'))).toBe('invalid_token');
    expect(await codeOf(t.tokens().consumeToken(reset, 'verify'))).toBe('invalid_token');
    expect(await codeOf(t.tokens().consumeToken(pair.accessToken, 'verify'))).toBe('invalid_token');
    expect(await codeOf(t.tokens().validateAccessToken(verify))).toBe('invalid_token');
    expect(await codeOf(t.tokens().refresh(reset))).toBe('invalid_token');
    // Each still works for its own purpose afterwards.
    expect((await t.tokens().consumeToken(verify, 'verify')).type).toBe('verify');
    expect((await t.tokens().consumeToken(reset, 'reset')).type).toBe('reset');
  });
}
