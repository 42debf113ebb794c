import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveAuthConfig } from '../../src';
import { TEST_SECRET } from '../support/clock';
import { configError } from '../support/config-error';

const FIX = `node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))"`;

/** The exact message the check gives for `problem` on `key`. */
function refusal(key: string, env: string, problem: string): string {
  return (
    `${key}: the HMAC secret ${problem}: it must be random bytes, not typed text. Set ${env} ` +
    `(or the ${key} option) to at least 32 random bytes, e.g. the output of: ${FIX}`
  );
}

const secret = (problem: string): string => refusal('secretKey', 'AUTH_SECRET_KEY', problem);

describe('HMAC secret strength (SECURITY.md 2: at least 32 random bytes)', () => {
  it.each<[string, string | KeyObject, string]>([
    ['one byte 32 times', 'a'.repeat(32), 'is a 1-byte pattern repeated'],
    [
      '"changeme" four times',
      'changeme'.repeat(4),
      'is mostly placeholder words (changeme, change)',
    ],
    [
      'placeholder words with separators',
      'my-super-secret-password-example',
      'is mostly placeholder words (secret, password, example, super)',
    ],
    [
      'a random-looking 8-byte pattern, 4 times',
      'x7#Kq9!z'.repeat(4),
      'is a 8-byte pattern repeated',
    ],
    ['a pattern cut short', 'Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor', 'is a 12-byte pattern repeated'],
    [
      'seven distinct bytes, shuffled',
      'gfbadcegabfdcegbadfgceabdgfcebagdfecbagdf',
      'has only 7 distinct byte values (at least 8 required)',
    ],
    [
      'the alphabet then digits',
      'abcdefghijklmnopqrstuvwxyz012345',
      'is guessable: about 22 bits of entropy estimated (runs, repeats and words count ' +
        'little), at least 128 required',
    ],
    [
      'the previous test secret (words, runs, a repeat)',
      'test-secret-0123456789abcdef-0123456789abcdef-xyz',
      'is guessable: about 51 bits of entropy estimated (runs, repeats and words count ' +
        'little), at least 128 required',
    ],
    [
      'a typed sentence (pen test II: typed phrases passed)',
      'Every morning I walk my dog to the green park by the river!',
      'is guessable: about 89 bits of entropy estimated (runs, repeats and words count ' +
        'little), at least 128 required',
    ],
    [
      'common words run together',
      'correcthorsebatterystaplewelcomehomesunshine',
      'is guessable: about 66 bits of entropy estimated (runs, repeats and words count ' +
        'little), at least 128 required',
    ],
    [
      'a dashed phrase',
      'the-quick-brown-fox-jumps-over-the-lazy-dog-again',
      'is guessable: about 69 bits of entropy estimated (runs, repeats and words count ' +
        'little), at least 128 required',
    ],
    [
      'a KeyObject of one byte value',
      createSecretKey(Buffer.alloc(32, 7)),
      'is a 1-byte pattern repeated',
    ],
    [
      'a KeyObject of counting bytes',
      createSecretKey(Buffer.from(Array.from({ length: 32 }, (_, i) => i))),
      'is guessable: about 15 bits of entropy estimated (runs, repeats and words count ' +
        'little), at least 128 required',
    ],
  ])('refuses %s at setup, naming the key and the fix', (_label, value, problem) => {
    const error = configError(() => resolveAuthConfig({ secretKey: value }, {}));
    expect(error.key).toBe('secretKey');
    expect(error.code).toBe('auth_config');
    expect(error.message).toBe(secret(problem));
    if (typeof value === 'string') expect(error.message).not.toContain(value);
  });

  it('refuses them in production too, whether the secret comes from options or the environment', () => {
    const env = { NODE_ENV: 'production' };
    expect(configError(() => resolveAuthConfig({ secretKey: 'a'.repeat(32) }, env)).message).toBe(
      secret('is a 1-byte pattern repeated'),
    );
    const fromEnv = configError(() =>
      resolveAuthConfig({}, { ...env, AUTH_SECRET_KEY: 'changeme'.repeat(4) }),
    );
    expect(fromEnv.key).toBe('secretKey');
    expect(fromEnv.message).toBe(secret('is mostly placeholder words (changeme, change)'));
  });

  it('checks AUTH_SECRET_KEY outside production as well', () => {
    const error = configError(() =>
      resolveAuthConfig({}, { AUTH_SECRET_KEY: 'abcdefghijklmnopqrstuvwxyz012345' }),
    );
    expect(error.message).toBe(
      secret(
        'is guessable: about 22 bits of entropy estimated (runs, repeats and words count ' +
          'little), at least 128 required',
      ),
    );
  });

  it('checks a separate refresh secret, naming refreshSecretKey and AUTH_REFRESH_SECRET_KEY', () => {
    const fromOptions = configError(() =>
      resolveAuthConfig({ secretKey: TEST_SECRET, refreshSecretKey: 'z'.repeat(40) }, {}),
    );
    expect(fromOptions.key).toBe('refreshSecretKey');
    expect(fromOptions.message).toBe(
      refusal('refreshSecretKey', 'AUTH_REFRESH_SECRET_KEY', 'is a 1-byte pattern repeated'),
    );
    const fromEnv = configError(() =>
      resolveAuthConfig(
        {},
        {
          AUTH_SECRET_KEY: TEST_SECRET,
          AUTH_REFRESH_SECRET_KEY: 'refresh-secret-changeme!' + 'x'.repeat(8),
        },
      ),
    );
    expect(fromEnv.key).toBe('refreshSecretKey');
    expect(fromEnv.message).toBe(
      refusal(
        'refreshSecretKey',
        'AUTH_REFRESH_SECRET_KEY',
        'is guessable: about 32 bits of entropy estimated (runs, repeats and words count ' +
          'little), at least 128 required',
      ),
    );
  });

  it.each<[string, number, () => string | KeyObject, number]>([
    ['48 random bytes as base64url', 2000, () => randomBytes(48).toString('base64url'), 64],
    ['a raw 32-byte random KeyObject', 2000, () => createSecretKey(randomBytes(32)), 32],
    [
      '32 random bytes as hex (openssl rand -hex 32)',
      500,
      () => randomBytes(32).toString('hex'),
      64,
    ],
  ])('accepts every secret made as %s (%i tried)', (_label, tries, make, size) => {
    for (let i = 0; i < tries; i++) {
      const value = make();
      const keys = resolveAuthConfig({ secretKey: value }, {}).keys;
      expect(keys.accessSigningKey.symmetricKeySize).toBe(size);
      if (typeof value !== 'string') expect(keys.accessSigningKey).toBe(value);
    }
  });

  it('accepts the secrets the test suite itself uses', () => {
    const c = resolveAuthConfig(
      {},
      { AUTH_SECRET_KEY: TEST_SECRET, AUTH_REFRESH_SECRET_KEY: `${TEST_SECRET}-refresh` },
    );
    expect(c.keys.accessSigningKey.symmetricKeySize).toBe(64);
    expect(c.keys.refreshSigningKey.symmetricKeySize).toBe(72);
  });
});
