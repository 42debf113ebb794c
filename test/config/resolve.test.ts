import { createPublicKey, createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveAuthConfig } from '../../src';
import { TEST_SECRET } from '../support/clock';
import { configError } from '../support/config-error';

describe('resolveAuthConfig', () => {
  it('applies documented defaults', () => {
    const c = resolveAuthConfig({ secretKey: TEST_SECRET }, {});
    expect(c.keys.algorithm).toBe('HS256');
    expect(c.accessTokenTtlSeconds).toBe(15 * 60);
    expect(c.refreshTokenTtlSeconds).toBe(7 * 86_400);
    expect(c.issuer).toBe('routing-controllers-auth');
    expect(c.audience).toBe('routing-controllers-auth');
    expect(c.leewaySeconds).toBe(5);
    expect(c.bcryptCost).toBe(12);
    expect(c.tokenLocation).toEqual(['header', 'cookie']);
    expect(c.cookies).toMatchObject({
      secure: true,
      sameSite: 'lax',
      path: '/',
      refreshPath: '/auth',
    });
    expect(c.keys.accessSigningKey.type).toBe('secret');
  });

  it('reads every documented environment variable', () => {
    const c = resolveAuthConfig(
      {},
      {
        AUTH_SECRET_KEY: TEST_SECRET,
        AUTH_REFRESH_SECRET_KEY: TEST_SECRET + '-refresh',
        AUTH_JWT_ALGORITHM: 'HS512',
        AUTH_ACCESS_TOKEN_EXPIRE_MINUTES: '5',
        AUTH_REFRESH_TOKEN_EXPIRE_DAYS: '2',
        AUTH_ISSUER: 'iss-x',
        AUTH_AUDIENCE: 'aud-x',
        AUTH_LEEWAY_SECONDS: '0',
        AUTH_BCRYPT_COST: '10',
        AUTH_TOKEN_LOCATION: 'cookie',
        AUTH_COOKIE_SECURE: 'false',
        AUTH_COOKIE_SAMESITE: 'strict',
        AUTH_CSRF_TRUSTED_ORIGINS: 'https://app.example.com, http://localhost:5173',
      },
    );
    expect(c.keys.algorithm).toBe('HS512');
    expect(c.keys.refreshSigningKey).not.toBe(c.keys.accessSigningKey);
    expect(c.accessTokenTtlSeconds).toBe(300);
    expect(c.refreshTokenTtlSeconds).toBe(2 * 86_400);
    expect([c.issuer, c.audience, c.leewaySeconds, c.bcryptCost]).toEqual([
      'iss-x',
      'aud-x',
      0,
      10,
    ]);
    expect(c.tokenLocation).toEqual(['cookie']);
    expect(c.cookies.secure).toBe(false);
    expect(c.cookies.sameSite).toBe('strict');
    expect(c.csrf.trustedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('lets explicit options win over the environment', () => {
    const c = resolveAuthConfig(
      { secretKey: TEST_SECRET, accessTokenExpireMinutes: 1 },
      { AUTH_ACCESS_TOKEN_EXPIRE_MINUTES: '60' },
    );
    expect(c.accessTokenTtlSeconds).toBe(60);
  });

  it.each([
    ['secretKey', {}, {}],
    ['secretKey', { secretKey: 'x'.repeat(31) }, {}],
    ['secretKey', {}, { NODE_ENV: 'production' }],
    ['refreshSecretKey', { secretKey: TEST_SECRET, refreshSecretKey: 'short' }, {}],
    ['algorithm', { secretKey: TEST_SECRET }, { AUTH_JWT_ALGORITHM: 'none' }],
    ['algorithm', { secretKey: TEST_SECRET }, { AUTH_JWT_ALGORITHM: 'RS256' }],
    ['accessTokenExpireMinutes', { secretKey: TEST_SECRET, accessTokenExpireMinutes: 0 }, {}],
    ['refreshTokenExpireDays', { secretKey: TEST_SECRET, refreshTokenExpireDays: -1 }, {}],
    [
      'AUTH_ACCESS_TOKEN_EXPIRE_MINUTES',
      { secretKey: TEST_SECRET },
      { AUTH_ACCESS_TOKEN_EXPIRE_MINUTES: 'ten' },
    ],
    ['leewaySeconds', { secretKey: TEST_SECRET, leewaySeconds: 31 }, {}],
    ['bcryptCost', { secretKey: TEST_SECRET, bcryptCost: 9 }, {}],
    ['bcryptCost', { secretKey: TEST_SECRET, bcryptCost: 4 }, { NODE_ENV: 'production' }],
    ['extraClaims', { secretKey: TEST_SECRET, extraClaims: ['email', 'sub'] }, {}],
    ['tokenLocation', { secretKey: TEST_SECRET }, { AUTH_TOKEN_LOCATION: 'query' }],
    ['AUTH_COOKIE_SECURE', { secretKey: TEST_SECRET }, { AUTH_COOKIE_SECURE: 'maybe' }],
    ['cookies.sameSite', { secretKey: TEST_SECRET }, { AUTH_COOKIE_SAMESITE: 'relaxed' }],
    ['privateKey', {}, { AUTH_JWT_ALGORITHM: 'ES256' }],
  ] as const)('refuses a bad %s with a message naming the key', (key, options, env) => {
    const error = configError(() => resolveAuthConfig(options, env));
    expect(error.key).toBe(key);
    expect(error.code).toBe('auth_config');
    expect(error.message.startsWith(`${key}: `)).toBe(true);
  });

  it('names the fix for a missing secret', () => {
    const error = configError(() => resolveAuthConfig({}, { NODE_ENV: 'production' }));
    expect(error.message).toMatch(/AUTH_SECRET_KEY/);
  });

  it('allows a low bcrypt cost only under NODE_ENV=test', () => {
    expect(
      resolveAuthConfig({ secretKey: TEST_SECRET, bcryptCost: 4 }, { NODE_ENV: 'test' }).bcryptCost,
    ).toBe(4);
  });

  it('accepts a KeyObject secret and refuses an asymmetric key for HS', () => {
    const c = resolveAuthConfig({ secretKey: createSecretKey(randomBytes(32)) }, {});
    expect(c.keys.accessSigningKey.symmetricKeySize).toBe(32);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(configError(() => resolveAuthConfig({ secretKey: privateKey }, {})).key).toBe(
      'secretKey',
    );
  });

  it('derives a kid for asymmetric keys and checks the curve', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const c = resolveAuthConfig({ algorithm: 'ES256', privateKey }, {});
    expect(c.keys.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.keys.verificationKeys.get(c.keys.keyId ?? '')).toBe(c.keys.accessVerifyKey);
    expect(c.keys.accessVerifyKey.equals(createPublicKey(privateKey))).toBe(true);
    expect(configError(() => resolveAuthConfig({ algorithm: 'ES384', privateKey }, {})).key).toBe(
      'privateKey',
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(
      configError(() => resolveAuthConfig({ algorithm: 'PS256', privateKey: rsa }, {})).key,
    ).toBe('privateKey');
  });
});

describe('settings that would start the app weaker are refused (pen test II, F6)', () => {
  const base = { secretKey: TEST_SECRET };
  it.each([
    ['AUTH_COOKIE_SECURE', {}, { NODE_ENV: 'production', AUTH_COOKIE_SECURE: 'false' }],
    ['csrf.trustedOrigins', {}, { AUTH_CSRF_TRUSTED_ORIGINS: 'file:///x' }],
    ['csrf.trustedOrigins', {}, { AUTH_CSRF_TRUSTED_ORIGINS: 'http://*.example.com' }],
    ['csrf.trustedOrigins', { csrf: { trustedOrigins: ['null'] } }, {}],
    ['accessTokenExpireMinutes', { accessTokenExpireMinutes: 0.001 }, {}],
    ['accessTokenExpireMinutes', { accessTokenExpireMinutes: 1e9 }, {}],
    ['refreshTokenExpireDays', { refreshTokenExpireDays: 1e6 }, {}],
    ['resetTokenExpireMinutes', { resetTokenExpireMinutes: 1e6 }, {}],
    ['cookies', { cookies: { csrfName: 'access_token' } }, {}],
    ['cookies.accessTokenName', { cookies: { accessTokenName: 'a;b' } }, {}],
    ['csrf.headerName', { csrf: { headerName: 'cookie' } }, {}],
  ] as const)('%s: %j %j', (key, options, env) => {
    const error = configError(() => resolveAuthConfig({ ...base, ...options }, env));
    expect(error.key).toBe(key);
  });

  it('an explicit cookies.secure: false in code is still allowed in production', () => {
    const c = resolveAuthConfig(
      { ...base, cookies: { secure: false } },
      { NODE_ENV: 'production' },
    );
    expect(c.cookies.secure).toBe(false);
  });
});
