import { AuthSessionEntity, AuthTokenEntity, TokenService } from 'routing-controllers-auth';
import { Container } from 'typedi';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { purgeIntervalMs, schedulePurge } from '../../example/purge';
import { testClock } from '../support/clock';
import { describeEngines } from '../support/engines';
import { loginPair } from '../support/http';
import {
  startExample,
  stopExample,
  TEST_OPTIONS,
  type ExampleHarness,
} from '../support/http/example';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;

describe('example: PURGE_INTERVAL_MINUTES', () => {
  it.each<[string | undefined, number | null]>([
    [undefined, HOUR],
    ['', HOUR],
    ['  ', HOUR],
    ['60', HOUR],
    ['5', 5 * 60_000],
    ['0.5', 30_000],
    ['35791', 35_791 * 60_000],
    ['0', null],
    ['off', null],
    ['OFF', null],
  ])('%j → %j ms', (raw, ms) => {
    expect(purgeIntervalMs(raw)).toBe(ms);
  });

  it.each(['-5', 'ten', '1e3', 'Infinity', 'NaN', '35792', '5 minutes'])(
    'refuses %j, naming the variable and the range',
    (raw) => {
      expect(() => purgeIntervalMs(raw)).toThrow(
        new Error(
          `PURGE_INTERVAL_MINUTES must be a number of minutes from 0 (off) to 35791, got "${raw}".`,
        ),
      );
    },
  );

  it('the timer is unref()ed, so it never keeps the process alive', async () => {
    const schedule = schedulePurge(
      { purgeExpired: () => Promise.resolve({ tokens: 0, sessions: 0 }) },
      { intervalMs: HOUR },
    );
    expect(schedule.timer.hasRef()).toBe(false);
    await schedule.stop();
  });
});

describeEngines('example: scheduled purge of expired tokens', (engine) => {
  const clock = testClock();
  let h: ExampleHarness;
  const count = async () => ({
    tokens: await h.dataSource.getRepository(AuthTokenEntity).count(),
    sessions: await h.dataSource.getRepository(AuthSessionEntity).count(),
  });
  beforeAll(async () => {
    h = await startExample(engine, { ...TEST_OPTIONS, now: clock.now });
  });
  afterAll(() => stopExample(h));
  afterEach(() => {
    vi.useRealTimers();
  });

  it('purges every interval: expired rows go, live ones stay; stopped, it purges no more', async () => {
    await loginPair(h.app, 'alice@example.com', 'alice-password-1');
    await loginPair(h.app, 'admin@example.com', 'admin-password-1');
    clock.advance(8 * DAY); // past the 7-day refresh lifetime: both sessions are expired
    await loginPair(h.app, 'admin@example.com', 'admin-password-1');
    expect(await count()).toEqual({ tokens: 6, sessions: 3 });

    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const lines: string[] = [];
    const errors: string[] = [];
    const schedule = schedulePurge(Container.get(TokenService), {
      intervalMs: HOUR,
      log: (line) => lines.push(line),
      logError: (line) => errors.push(line),
    });
    await vi.advanceTimersByTimeAsync(HOUR - 1);
    await schedule.idle();
    expect(await count()).toEqual({ tokens: 6, sessions: 3 });

    await vi.advanceTimersByTimeAsync(1);
    await schedule.idle();
    expect(await count()).toEqual({ tokens: 2, sessions: 1 });
    expect(lines).toEqual(['Purged expired rows (tokens: 4, sessions: 2).']);

    clock.advance(8 * DAY);
    await vi.advanceTimersByTimeAsync(HOUR);
    await schedule.idle();
    expect(await count()).toEqual({ tokens: 0, sessions: 0 });
    expect(lines).toEqual([
      'Purged expired rows (tokens: 4, sessions: 2).',
      'Purged expired rows (tokens: 2, sessions: 1).',
    ]);

    await loginPair(h.app, 'alice@example.com', 'alice-password-1');
    clock.advance(8 * DAY);
    await schedule.stop();
    await vi.advanceTimersByTimeAsync(3 * HOUR);
    await schedule.idle();
    expect(await count()).toEqual({ tokens: 2, sessions: 1 });
    expect(lines.length).toBe(2);
    expect(errors).toEqual([]);
  });
});

describe('example: a failing scheduled purge', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is logged at every tick and never throws into the process', async () => {
    const h = await startExample('sqlite');
    try {
      await h.dataSource.destroy();
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const errors: string[] = [];
      const schedule = schedulePurge(Container.get(TokenService), {
        intervalMs: HOUR,
        log: () => undefined,
        logError: (line) => errors.push(line),
      });
      for (let tick = 0; tick < 2; tick++) {
        await vi.advanceTimersByTimeAsync(HOUR);
        await schedule.idle();
      }
      await schedule.stop();
      const line =
        'Purging expired tokens failed, next try in 60 minutes: AuthUnavailableError: ' +
        'Authentication is temporarily unavailable. (TypeError: The database connection is not open)';
      expect(errors).toEqual([line, line]);
    } finally {
      await stopExample(h);
    }
  });
});
