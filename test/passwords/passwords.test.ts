import { describe, expect, it } from 'vitest';
import {
  MAX_PASSWORD_BYTES,
  PasswordHasher,
  PasswordPolicyError,
  hashPassword,
  needsRehash,
  verifyPassword,
} from '../../src';

// Real bcrypt, low cost: the same code path as production, fast enough for a suite.
const COST = 4;

describe('passwords', () => {
  it('hashes and verifies with real bcrypt', async () => {
    const hash = await hashPassword('correct horse', COST);
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct hors', hash)).toBe(false);
  });

  it('defaults to cost 12', async () => {
    const hash = await hashPassword('pw-default-cost');
    expect(hash.startsWith('$2b$12$')).toBe(true);
  });

  it('refuses passwords over 72 bytes instead of truncating them (multi-byte counted in bytes)', async () => {
    const limit = 'a'.repeat(MAX_PASSWORD_BYTES);
    await expect(hashPassword(limit, COST)).resolves.toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    await expect(hashPassword(limit + 'b', COST)).rejects.toMatchObject({
      code: 'password_policy',
      status: 400,
    });
    // 36 two-byte characters = 72 bytes fine; 37 = 74 bytes refused.
    await expect(hashPassword('é'.repeat(36), COST)).resolves.toMatch(
      /^\$2b\$04\$[./A-Za-z0-9]{53}$/,
    );
    await expect(hashPassword('é'.repeat(37), COST)).rejects.toBeInstanceOf(PasswordPolicyError);
    const hash = await hashPassword(limit, COST);
    await expect(verifyPassword(limit + 'extra', hash)).rejects.toBeInstanceOf(PasswordPolicyError);
  });

  it('refuses NUL bytes, so a password never collides with its prefix', async () => {
    await expect(hashPassword('abc\0def', COST)).rejects.toMatchObject({ code: 'password_policy' });
    const hash = await hashPassword('abc', COST);
    await expect(verifyPassword('abc\0def', hash)).rejects.toBeInstanceOf(PasswordPolicyError);
  });

  it('treats a malformed hash as a mismatch', async () => {
    expect(await verifyPassword('pw', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('pw', '')).toBe(false);
  });

  it('says when a hash needs a rehash', async () => {
    const low = await hashPassword('pw', COST);
    expect(needsRehash(low, 12)).toBe(true);
    expect(needsRehash(low, COST)).toBe(false);
    expect(needsRehash('$1$md5crypt', 4)).toBe(true);
  });

  it('PasswordHasher.check spends a compare and answers false without a hash', async () => {
    const hasher = new PasswordHasher(COST);
    const hash = await hasher.hash('pw-1');
    expect(await hasher.check(hash, 'pw-1')).toBe(true);
    expect(await hasher.check(undefined, 'pw-1')).toBe(false);
    expect(await hasher.check(null, 'pw-1')).toBe(false);
    expect(await hasher.check('garbage', 'pw-1')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });
});
