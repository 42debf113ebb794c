import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  decodeToken,
  encodeToken,
  resolveAuthConfig,
  verifyToken,
  type ResolvedAuthConfig,
  type TokenClaims,
} from '../../src';
import { TEST_SECRET, testClock, type TestClock } from '../support/clock';
import { forge, signEs256 } from '../support/forge';

let clock: TestClock;
let config: ResolvedAuthConfig;

function claims(overrides: Partial<TokenClaims> = {}): TokenClaims {
  const iat = Math.floor(clock.now() / 1000);
  return {
    sub: '42',
    jti: '00000000-0000-4000-8000-000000000001',
    sid: '00000000-0000-4000-8000-000000000002',
    type: 'access',
    iat,
    exp: iat + 900,
    iss: 'routing-controllers-auth',
    aud: 'routing-controllers-auth',
    ...overrides,
  };
}

function rejects(token: string, code: string, type: 'access' | 'refresh' = 'access'): void {
  expect(() => verifyToken(token, type, config)).toThrow(
    expect.objectContaining({ code }) as Error,
  );
}

beforeEach(() => {
  clock = testClock();
  config = resolveAuthConfig({ secretKey: TEST_SECRET, now: clock.now }, {});
});

describe('stateless JWT: encode / verify', () => {
  it('round-trips a token it signed', () => {
    const token = encodeToken(claims(), config);
    expect(verifyToken(token, 'access', config)).toMatchObject({ sub: '42', type: 'access' });
    expect(decodeToken(token)?.header).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('rejects expiry past the leeway with token_expired, accepts within it', () => {
    const token = encodeToken(claims(), config);
    clock.advance(900_000 + 4_000);
    expect(verifyToken(token, 'access', config).sub).toBe('42');
    clock.advance(2_000);
    rejects(token, 'token_expired');
  });

  it('refuses the other token type with wrong_token_type', () => {
    rejects(encodeToken(claims({ type: 'refresh' }), config), 'wrong_token_type');
    rejects(encodeToken(claims(), config), 'wrong_token_type', 'refresh');
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s', (alg) => {
    rejects(forge({ alg, typ: 'JWT' }, claims()), 'invalid_token');
    rejects(forge({ alg, typ: 'JWT' }, claims(), { hmac: TEST_SECRET }), 'invalid_token');
  });

  it.each([
    ['HS384', 'sha384'],
    ['HS512', 'sha512'],
  ] as const)('refuses %s when HS256 is configured, even with the right secret', (alg, hash) => {
    rejects(forge({ alg, typ: 'JWT' }, claims(), { hmac: TEST_SECRET, hash }), 'invalid_token');
  });

  it('refuses ES256 and RS256 tokens when HS256 is configured', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    rejects(signEs256({ alg: 'ES256', typ: 'JWT' }, claims(), privateKey), 'invalid_token');
    rejects(forge({ alg: 'RS256', typ: 'JWT' }, claims(), { raw: 'AAAA' }), 'invalid_token');
  });

  it('refuses a bad signature, a truncated token, garbage and oversize input', () => {
    rejects(
      forge({ alg: 'HS256', typ: 'JWT' }, claims(), { hmac: TEST_SECRET + 'x' }),
      'invalid_token',
    );
    const good = encodeToken(claims(), config);
    rejects(good.slice(0, -3), 'invalid_token');
    rejects(good.split('.').slice(0, 2).join('.'), 'invalid_token');
    rejects(`${good.split('.').slice(0, 2).join('.')}.`, 'invalid_token');
    rejects('garbage', 'invalid_token');
    rejects('', 'invalid_token');
    rejects('a.b.c', 'invalid_token');
    rejects(`${good}${'A'.repeat(9000)}`, 'invalid_token');
  });

  it('requires exp, and refuses non-numeric exp and a future nbf', () => {
    const { exp: _exp, ...noExp } = claims();
    rejects(forge({ alg: 'HS256', typ: 'JWT' }, noExp, { hmac: TEST_SECRET }), 'invalid_token');
    rejects(
      forge({ alg: 'HS256' }, { ...claims(), exp: String(claims().exp) }, { hmac: TEST_SECRET }),
      'invalid_token',
    );
    rejects(
      forge({ alg: 'HS256' }, { ...claims(), nbf: claims().iat + 60 }, { hmac: TEST_SECRET }),
      'invalid_token',
    );
  });

  it('refuses a wrong issuer or audience', () => {
    rejects(encodeToken(claims({ iss: 'someone-else' }), config), 'invalid_token');
    rejects(encodeToken(claims({ aud: 'another-api' }), config), 'invalid_token');
  });

  it('refuses payloads that are not objects, and missing registered claims', () => {
    rejects(forge({ alg: 'HS256' }, '"just a string"', { hmac: TEST_SECRET }), 'invalid_token');
    rejects(forge({ alg: 'HS256' }, [1, 2], { hmac: TEST_SECRET }), 'invalid_token');
    for (const name of ['sub', 'jti', 'sid', 'type', 'iat'] as const) {
      const c = Object.fromEntries(Object.entries(claims()).filter(([key]) => key !== name));
      rejects(forge({ alg: 'HS256' }, c, { hmac: TEST_SECRET }), 'invalid_token');
    }
    rejects(
      forge({ alg: 'HS256' }, { ...claims(), sub: 42 }, { hmac: TEST_SECRET }),
      'invalid_token',
    );
    rejects(
      forge({ alg: 'HS256' }, { ...claims(), type: 'id' }, { hmac: TEST_SECRET }),
      'invalid_token',
    );
  });

  it('refuses any crit header and ignores jku / x5u / jwk / x5c', () => {
    rejects(
      forge({ alg: 'HS256', crit: ['exp'] }, claims(), { hmac: TEST_SECRET }),
      'invalid_token',
    );
    rejects(forge({ alg: 'HS256', crit: [] }, claims(), { hmac: TEST_SECRET }), 'invalid_token');
    // The headers are ignored: the configured key decides, so a token MACed with an attacker's key fails...
    const attacker = 'attacker-secret-attacker-secret-attacker-secret';
    for (const h of ['jku', 'x5u', 'jwk', 'x5c']) {
      rejects(
        forge({ alg: 'HS256', [h]: 'https://evil.example/keys' }, claims(), { hmac: attacker }),
        'invalid_token',
      );
    }
    // ...and one MACed with the real key passes regardless of them.
    const token = forge({ alg: 'HS256', jku: 'https://evil.example/keys' }, claims(), {
      hmac: TEST_SECRET,
    });
    expect(verifyToken(token, 'access', config).sub).toBe('42');
  });

  it('uses a separate refresh secret when configured', () => {
    const split = resolveAuthConfig(
      { secretKey: TEST_SECRET, refreshSecretKey: TEST_SECRET + '-refresh', now: clock.now },
      {},
    );
    const refresh = encodeToken(claims({ type: 'refresh' }), split);
    expect(verifyToken(refresh, 'refresh', split).type).toBe('refresh');
    // MACed with the access secret but claiming refresh: refused.
    const wrongKey = forge({ alg: 'HS256' }, claims({ type: 'refresh' }), { hmac: TEST_SECRET });
    expect(() => verifyToken(wrongKey, 'refresh', split)).toThrow(
      expect.objectContaining({ code: 'invalid_token' }) as Error,
    );
  });

  describe('asymmetric keys', () => {
    it('signs with kid, verifies by kid from the key map only, and survives rotation', () => {
      const oldKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const newKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const before = resolveAuthConfig(
        { algorithm: 'ES256', privateKey: oldKey.privateKey, keyId: 'k1', now: clock.now },
        {},
      );
      const oldToken = encodeToken(claims(), before);
      expect(decodeToken(oldToken)?.header.kid).toBe('k1');
      const after = resolveAuthConfig(
        {
          algorithm: 'ES256',
          privateKey: newKey.privateKey,
          keyId: 'k2',
          verificationKeys: { k1: oldKey.publicKey },
          now: clock.now,
        },
        {},
      );
      expect(verifyToken(oldToken, 'access', after).sub).toBe('42');
      expect(verifyToken(encodeToken(claims(), after), 'access', after).sub).toBe('42');
      const noKid = signEs256({ alg: 'ES256' }, claims(), newKey.privateKey);
      expect(() => verifyToken(noKid, 'access', after)).toThrow(
        expect.objectContaining({ code: 'invalid_token' }) as Error,
      );
      const unknownKid = signEs256({ alg: 'ES256', kid: 'k3' }, claims(), newKey.privateKey);
      expect(() => verifyToken(unknownKid, 'access', after)).toThrow(
        expect.objectContaining({ code: 'invalid_token' }) as Error,
      );
      const protoKid = signEs256({ alg: 'ES256', kid: '__proto__' }, claims(), newKey.privateKey);
      expect(() => verifyToken(protoKid, 'access', after)).toThrow(
        expect.objectContaining({ code: 'invalid_token' }) as Error,
      );
    });

    it('refuses HS256 MACed with the public PEM (algorithm confusion)', () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const es = resolveAuthConfig(
        { algorithm: 'ES256', privateKey, keyId: 'k1', now: clock.now },
        {},
      );
      const pem = publicKey.export({ type: 'spki', format: 'pem' });
      const confused = forge({ alg: 'HS256', kid: 'k1' }, claims(), { hmac: pem });
      expect(() => verifyToken(confused, 'access', es)).toThrow(
        expect.objectContaining({ code: 'invalid_token' }) as Error,
      );
    });

    it('works with PS256', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const ps = resolveAuthConfig({ algorithm: 'PS256', privateKey, now: clock.now }, {});
      expect(verifyToken(encodeToken(claims(), ps), 'access', ps).sub).toBe('42');
    });
  });

  it('decodeToken never throws and returns null for non-JWTs', () => {
    expect(decodeToken('nope')).toBeNull();
    expect(decodeToken(forge({ alg: 'HS256' }, '"str"', { raw: 'x' }))).toBeNull();
    expect(decodeToken(undefined as unknown as string)).toBeNull();
  });
});
