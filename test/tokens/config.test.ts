import { describe, expect, it } from 'vitest';
import { resolveAuthConfig } from '../../src';
import { TEST_SECRET } from '../support/clock';
import { configError } from '../support/config-error';

const pick = (c: ReturnType<typeof resolveAuthConfig>) => ({
  verify: c.verifyTokenTtlSeconds,
  reset: c.resetTokenTtlSeconds,
  grace: c.refreshReuseGraceSeconds,
  sessions: c.maxSessionsPerUser,
  rate: c.refreshRateLimit,
});

describe('token engine options', () => {
  it('default to one day, one hour, strict, 50 sessions and 30 refreshes a minute', () => {
    expect(pick(resolveAuthConfig({ secretKey: TEST_SECRET }, {}))).toEqual({
      verify: 86_400,
      reset: 3_600,
      grace: 0,
      sessions: 50,
      rate: 30,
    });
  });

  it('read their environment variables; options win over them', () => {
    const env = {
      AUTH_SECRET_KEY: TEST_SECRET,
      AUTH_VERIFY_TOKEN_EXPIRE_MINUTES: '30',
      AUTH_RESET_TOKEN_EXPIRE_MINUTES: '15',
      AUTH_REFRESH_REUSE_GRACE_SECONDS: '60',
      AUTH_MAX_SESSIONS_PER_USER: '5',
      AUTH_REFRESH_RATE_LIMIT: '10',
    };
    expect(pick(resolveAuthConfig({}, env))).toEqual({
      verify: 1_800,
      reset: 900,
      grace: 60,
      sessions: 5,
      rate: 10,
    });
    expect(
      pick(resolveAuthConfig({ refreshReuseGraceSeconds: 2, refreshRateLimit: false }, env)),
    ).toEqual({ verify: 1_800, reset: 900, grace: 2, sessions: 5, rate: null });
    expect(
      resolveAuthConfig({ secretKey: TEST_SECRET }, { AUTH_REFRESH_RATE_LIMIT: 'off' })
        .refreshRateLimit,
    ).toBeNull();
  });

  it.each([
    [
      'refreshReuseGraceSeconds',
      { refreshReuseGraceSeconds: 61 },
      /whole number of seconds from 0 to 60, got 61/,
    ],
    ['refreshReuseGraceSeconds', { refreshReuseGraceSeconds: -1 }, /got -1/],
    ['refreshReuseGraceSeconds', { refreshReuseGraceSeconds: 1.5 }, /whole number/],
    [
      'maxSessionsPerUser',
      { maxSessionsPerUser: 0 },
      /whole number of sessions from 1 to 1000000, got 0/,
    ],
    [
      'refreshRateLimit',
      { refreshRateLimit: 0 },
      /whole number of refreshes per minute from 1 to 1000000, got 0/,
    ],
    ['verifyTokenExpireMinutes', { verifyTokenExpireMinutes: 0 }, /positive number of minutes/],
    ['resetTokenExpireMinutes', { resetTokenExpireMinutes: -5 }, /positive number of minutes/],
  ] as const)('refuses a bad %s', (key, options, message) => {
    const error = configError(() => resolveAuthConfig({ secretKey: TEST_SECRET, ...options }, {}));
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
  });

  it('refuses a grace above 60 from the environment too', () => {
    const error = configError(() =>
      resolveAuthConfig({ secretKey: TEST_SECRET }, { AUTH_REFRESH_REUSE_GRACE_SECONDS: '120' }),
    );
    expect(error.key).toBe('refreshReuseGraceSeconds');
  });
});
