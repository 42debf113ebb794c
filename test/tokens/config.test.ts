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

describe('purge options', () => {
  const purge = (options: object, env: Record<string, string> = {}) => {
    const c = resolveAuthConfig({ secretKey: TEST_SECRET, ...options }, env);
    return { batch: c.purgeBatchSize, interval: c.purgeIntervalSeconds };
  };

  it('default to batches of 250 and no schedule; read the environment; options win', () => {
    expect(purge({})).toEqual({ batch: 250, interval: null });
    const env = { AUTH_PURGE_BATCH_SIZE: '400', AUTH_PURGE_INTERVAL_SECONDS: '3600' };
    expect(purge({}, env)).toEqual({ batch: 400, interval: 3600 });
    expect(purge({ purgeBatchSize: 10, purgeIntervalSeconds: false }, env)).toEqual({
      batch: 10,
      interval: null,
    });
    for (const off of ['off', 'false', '0']) {
      expect(purge({}, { AUTH_PURGE_INTERVAL_SECONDS: off }).interval).toBeNull();
    }
  });

  it.each([
    [{ purgeBatchSize: 0 }, 'purgeBatchSize', /whole number of rows from 1 to 100000, got 0/],
    [{ purgeBatchSize: 100_001 }, 'purgeBatchSize', /got 100001/],
    [{ purgeBatchSize: 2.5 }, 'purgeBatchSize', /whole number/],
    [{ purgeIntervalSeconds: -60 }, 'purgeIntervalSeconds', /from 1 to 2147483, got -60/],
    [{ purgeIntervalSeconds: 2_147_484 }, 'purgeIntervalSeconds', /got 2147484/],
    [
      { purgeIntervalSeconds: '60' as unknown as number },
      'purgeIntervalSeconds',
      /whole number of seconds/,
    ],
  ] as const)('refuses %j', (options, key, message) => {
    const error = configError(() => resolveAuthConfig({ secretKey: TEST_SECRET, ...options }, {}));
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['AUTH_PURGE_BATCH_SIZE', 'lots'],
    ['AUTH_PURGE_INTERVAL_SECONDS', 'hourly'],
  ])('refuses %s=%s, naming the variable', (name, raw) => {
    const error = configError(() => resolveAuthConfig({ secretKey: TEST_SECRET }, { [name]: raw }));
    expect(error.key).toBe(name);
  });
});
