import { describe, expect, it } from 'vitest';
import { REGISTERED_CLAIMS, resolveAuthConfig } from '../../src';
import { AuthConfigError } from '../../src/errors/config-error';
import { buildClaims, type TokenSpec } from '../../src/tokens/issue';
import { TEST_SECRET } from '../support/clock';

describe('registered claims', () => {
  const config = resolveAuthConfig({ secretKey: TEST_SECRET, extraClaims: ['email'] }, {});
  /** A refresh token of generation 3 with these extra claims. */
  const refreshSpec = (extra: Record<string, string | number>): TokenSpec => ({
    type: 'refresh',
    subject: '1',
    sessionId: 's',
    iat: 1,
    exp: 2,
    generation: 3,
    extra,
  });

  it('every claim the library writes is registered, so extraClaims can never shadow one', () => {
    // A refresh token carries gen, a mailed token adr: the fullest specs the library builds.
    const refresh = buildClaims(refreshSpec({ email: 'a@example.com' }), config);
    const mailed = buildClaims(
      { type: 'reset', subject: '1', sessionId: 's', iat: 1, exp: 2, address: 'a@x.io', extra: {} },
      config,
    );
    const own = [...Object.keys(refresh), ...Object.keys(mailed)].filter((k) => k !== 'email');
    expect(own).toContain('gen');
    expect(own).toContain('adr');
    for (const name of own) expect(REGISTERED_CLAIMS).toContain(name);
  });

  it.each(REGISTERED_CLAIMS)('extraClaims: [%j] is refused at setup', (name) => {
    expect(() => resolveAuthConfig({ secretKey: TEST_SECRET, extraClaims: [name] }, {})).toThrow(
      AuthConfigError,
    );
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'extraClaims: [%j] (a name of Object.prototype) is refused at setup',
    (name) => {
      expect(() => resolveAuthConfig({ secretKey: TEST_SECRET, extraClaims: [name] }, {})).toThrow(
        /every JavaScript object already has/,
      );
    },
  );

  it('a refresh token keeps its own generation whatever the extra claims hold', () => {
    // Past the config check (a config built by hand): the registered value still wins.
    const claims = buildClaims(refreshSpec({ gen: 99, sub: 'admin' }), {
      ...config,
      extraClaims: ['gen', 'sub'],
    });
    expect(claims.gen).toBe(3);
    expect(claims.sub).toBe('1');
  });
});
