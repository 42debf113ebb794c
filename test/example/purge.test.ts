import { AuthSessionEntity, AuthTokenEntity } from 'routing-controllers-auth';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { purgeIntervalSeconds } from '../../example/purge';
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
  it.each<[string | undefined, number | false]>([
    [undefined, 3600],
    ['', 3600],
    ['  ', 3600],
    ['60', 3600],
    ['5', 300],
    ['0.5', 30],
    ['0.001', 1],
    ['35791', 35_791 * 60],
    ['0', false],
    ['off', false],
    ['OFF', false],
  ])('%j → purgeIntervalSeconds %j', (raw, seconds) => {
    expect(purgeIntervalSeconds(raw)).toBe(seconds);
  });

  it.each(['-5', 'ten', '1e3', 'Infinity', 'NaN', '35792', '5 minutes'])(
    'refuses %j, naming the variable and the range',
    (raw) => {
      expect(() => purgeIntervalSeconds(raw)).toThrow(
        new Error(
          `PURGE_INTERVAL_MINUTES must be a number of minutes from 0 (off) to 35791, got "${raw}".`,
        ),
      );
    },
  );
});

describeEngines("example: the library's scheduled purge of expired tokens", (engine) => {
  let h: ExampleHarness | undefined;
  afterEach(async () => {
    await h?.auth.close();
    await stopExample(h);
    vi.useRealTimers();
  });

  it('purges every interval: expired rows go, live ones stay; closed, it purges no more', async () => {
    const clock = testClock();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const app = await startExample(engine, {
      ...TEST_OPTIONS,
      now: clock.now,
      purgeIntervalSeconds: purgeIntervalSeconds('60'),
    });
    h = app;
    const count = async () => ({
      tokens: await app.dataSource.getRepository(AuthTokenEntity).count(),
      sessions: await app.dataSource.getRepository(AuthSessionEntity).count(),
    });
    /** Polls in real time (only setInterval is faked) until the rows are `expected`, at most 5 s. */
    const settled = async (expected: { tokens: number; sessions: number }) => {
      let now = await count();
      for (let i = 0; i < 200 && JSON.stringify(now) !== JSON.stringify(expected); i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        now = await count();
      }
      return now;
    };
    await loginPair(app.app, 'alice@example.com', 'alice-password-1');
    await loginPair(app.app, 'admin@example.com', 'admin-password-1');
    clock.advance(8 * DAY); // past the 7-day refresh lifetime: both sessions are expired
    await loginPair(app.app, 'admin@example.com', 'admin-password-1');
    expect(await count()).toEqual({ tokens: 6, sessions: 3 });

    await vi.advanceTimersByTimeAsync(HOUR - 1);
    expect(await count()).toEqual({ tokens: 6, sessions: 3 });
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled({ tokens: 2, sessions: 1 })).toEqual({ tokens: 2, sessions: 1 });

    clock.advance(8 * DAY);
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(await settled({ tokens: 0, sessions: 0 })).toEqual({ tokens: 0, sessions: 0 });

    await loginPair(app.app, 'alice@example.com', 'alice-password-1');
    clock.advance(8 * DAY);
    await app.auth.close();
    await vi.advanceTimersByTimeAsync(3 * HOUR);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await count()).toEqual({ tokens: 2, sessions: 1 });
  });
});
