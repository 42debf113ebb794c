import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  encodeToken,
  resolveAuthConfig,
  TOKEN_PURPOSES,
  verifyToken,
  type AuthOptions,
  type ResolvedAuthConfig,
  type TokenClaims,
  type TokenType,
} from '../../src';
import { TEST_SECRET, testClock, type TestClock } from '../support/clock';
import { forge } from '../support/forge';

const TYPES = Object.keys(TOKEN_PURPOSES) as TokenType[];
const PAIRS = TYPES.flatMap((a) => TYPES.filter((b) => b !== a).map((b) => [a, b] as const));

let clock: TestClock;

function claims(type: TokenType, config: ResolvedAuthConfig): TokenClaims {
  const iat = Math.floor(clock.now() / 1000);
  return {
    sub: '42',
    jti: '00000000-0000-4000-8000-000000000001',
    type,
    sid: '00000000-0000-4000-8000-000000000002',
    iat,
    exp: iat + 600,
    iss: config.issuer,
    aud: config.audience,
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code ?? 'not coded';
  }
  return 'accepted';
}

beforeEach(() => {
  clock = testClock();
});

describe('token purposes table', () => {
  it('has one entry per purpose, with lifetimes from the configuration', () => {
    const config = resolveAuthConfig(
      { secretKey: TEST_SECRET, verifyTokenExpireMinutes: 30, resetTokenExpireMinutes: 10 },
      {},
    );
    expect(
      TYPES.map((type) => {
        const p = TOKEN_PURPOSES[type];
        return [p.type, p.ttlSeconds(config), p.key, p.use];
      }),
    ).toEqual([
      ['access', 900, 'access', 'session'],
      ['refresh', 7 * 86_400, 'refresh', 'rotating'],
      ['verify', 1_800, 'derived', 'single-use'],
      ['reset', 600, 'derived', 'single-use'],
      ['mfa', 300, 'derived', 'single-use'],
    ]);
  });
});

// One HMAC secret for everything: access and refresh are told apart by the type claim alone;
// the derived purposes cannot even pass the signature check under another purpose's key.
const HS_EXPECTED = (a: TokenType, b: TokenType): string =>
  TOKEN_PURPOSES[a].key !== 'derived' && TOKEN_PURPOSES[b].key !== 'derived'
    ? 'wrong_token_type'
    : 'invalid_token';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SETUPS: [string, AuthOptions, (a: TokenType, b: TokenType) => string][] = [
  ['HS256, one secret', { secretKey: TEST_SECRET }, HS_EXPECTED],
  [
    'HS512, a separate refresh secret',
    {
      algorithm: 'HS512',
      secretKey: TEST_SECRET,
      refreshSecretKey: `${TEST_SECRET}-refresh`,
    },
    (a, b) => (a === 'refresh' || b === 'refresh' ? 'invalid_token' : HS_EXPECTED(a, b)),
  ],
  // One private key signs every purpose: the type claim, checked on every use, keeps them apart.
  ['ES256', { algorithm: 'ES256', privateKey }, () => 'wrong_token_type'],
];

describe.each(SETUPS)('no purpose is accepted as another (%s)', (_name, options, expected) => {
  let config: ResolvedAuthConfig;
  beforeEach(() => {
    config = resolveAuthConfig({ ...options, now: clock.now }, {});
  });

  it.each(PAIRS)('a %s token presented as %s is refused', (issued, expectedType) => {
    const token = encodeToken(claims(issued, config), config);
    expect(verifyToken(token, issued, config).type).toBe(issued);
    expect(codeOf(() => verifyToken(token, expectedType, config))).toBe(
      expected(issued, expectedType),
    );
  });
});

describe('domain separation of the derived purposes (HS)', () => {
  it('the configured secret itself cannot sign a verify, reset or mfa token', () => {
    const config = resolveAuthConfig({ secretKey: TEST_SECRET, now: clock.now }, {});
    for (const type of ['verify', 'reset', 'mfa'] as const) {
      const token = forge({ alg: 'HS256', typ: 'JWT' }, claims(type, config), {
        hmac: TEST_SECRET,
      });
      expect(codeOf(() => verifyToken(token, type, config))).toBe('invalid_token');
    }
    const access = forge({ alg: 'HS256', typ: 'JWT' }, claims('access', config), {
      hmac: TEST_SECRET,
    });
    expect(verifyToken(access, 'access', config).type).toBe('access');
  });

  it('identical claims sign to different MACs per purpose, and the same MAC twice', () => {
    const config = resolveAuthConfig({ secretKey: TEST_SECRET, now: clock.now }, {});
    const base = claims('verify', config);
    const mac = (type: TokenType) => encodeToken({ ...base, type }, config).split('.')[2];
    expect(new Set(['verify', 'reset', 'mfa'].map((x) => mac(x as TokenType))).size).toBe(3);
    expect(mac('verify')).toBe(mac('verify'));
  });
});

describe('iat in the future', () => {
  it('is refused beyond the leeway and accepted within it', () => {
    const config = resolveAuthConfig({ secretKey: TEST_SECRET, now: clock.now }, {});
    const base = claims('access', config);
    const at = (offset: number) =>
      codeOf(() =>
        verifyToken(encodeToken({ ...base, iat: base.iat + offset }, config), 'access', config),
      );
    expect([at(0), at(5), at(6), at(86_400)]).toEqual([
      'accepted',
      'accepted',
      'invalid_token',
      'invalid_token',
    ]);
  });
});
