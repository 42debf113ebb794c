import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AUTH_ENTITIES,
  AuthSessionEntity,
  AuthTokenEntity,
  setupAuth,
  type AuthOptions,
  type AuthSetup,
} from '../../src';
import { TEST_SECRET, testClock, type TestClock } from '../support/clock';
import { closeDataSource, describeEngines, openDataSource } from '../support/engines';
import { TestAuth, TestUser } from '../support/users';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Scheduled {
  ds: DataSource;
  auth: AuthSetup<TestUser>;
  clock: TestClock;
  logged: string[];
}

/** A setup with the built-in schedule, its setInterval faked (the test moves time on). */
async function scheduled(engine: Parameters<typeof openDataSource>[0], options: AuthOptions) {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const ds = await openDataSource(engine, { entities: [TestUser, ...AUTH_ENTITIES] });
  const clock = testClock();
  const logged: string[] = [];
  const auth = setupAuth({
    dataSource: ds,
    userAuthentication: new TestAuth(ds),
    options: { secretKey: TEST_SECRET, now: clock.now, ...options },
    env: {},
    registerInContainer: false,
    logError: (task, error) =>
      logged.push(`${task}: ${error instanceof Error ? error.name : 'non-error'}`),
  });
  return { ds, auth, clock, logged } satisfies Scheduled;
}

const counts = async (ds: DataSource) => ({
  tokens: await ds.getRepository(AuthTokenEntity).count(),
  sessions: await ds.getRepository(AuthSessionEntity).count(),
});

/** Polls (real time; only setInterval is faked) until `read` gives `expected`, or 5 s pass. */
async function settlesAt<T>(read: () => Promise<T>, expected: T): Promise<T> {
  let value = await read();
  for (let i = 0; i < 200 && JSON.stringify(value) !== JSON.stringify(expected); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

afterEach(() => {
  vi.useRealTimers();
});

describeEngines('purgeIntervalSeconds: the built-in purge schedule', (engine) => {
  it('purges every interval from setupAuth on; auth.close() stops it', async () => {
    const { ds, auth, clock, logged } = await scheduled(engine, {
      purgeIntervalSeconds: 3600,
      purgeBatchSize: 2,
    });
    try {
      for (let i = 0; i < 3; i++) await auth.tokens.createTokenPair('sched');
      clock.advance(8 * DAY); // past the 7-day session lifetime
      await auth.tokens.createTokenPair('sched');
      expect(await counts(ds)).toEqual({ tokens: 8, sessions: 4 });
      expect(vi.getTimerCount()).toBe(1);
      expect(auth.status().purgeIntervalSeconds).toBe(3600);

      await vi.advanceTimersByTimeAsync(HOUR - 1);
      expect(await counts(ds)).toEqual({ tokens: 8, sessions: 4 }); // no tick yet
      await vi.advanceTimersByTimeAsync(1);
      expect(await settlesAt(() => counts(ds), { tokens: 2, sessions: 1 })).toEqual({
        tokens: 2,
        sessions: 1,
      });

      clock.advance(8 * DAY);
      await vi.advanceTimersByTimeAsync(HOUR);
      expect(await settlesAt(() => counts(ds), { tokens: 0, sessions: 0 })).toEqual({
        tokens: 0,
        sessions: 0,
      });

      await auth.tokens.createTokenPair('sched');
      await auth.close();
      expect(vi.getTimerCount()).toBe(0);
      clock.advance(8 * DAY);
      await vi.advanceTimersByTimeAsync(3 * HOUR);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await counts(ds)).toEqual({ tokens: 2, sessions: 1 });
      expect(logged).toEqual([]);
    } finally {
      await auth.close();
      await closeDataSource(ds);
    }
  });

  it('auth.close() during a purge stops it after its batch and waits for it', async () => {
    const { ds, auth, clock, logged } = await scheduled(engine, {
      purgeIntervalSeconds: 60,
      purgeBatchSize: 1,
    });
    try {
      for (let i = 0; i < 30; i++) await auth.tokens.createTokenPair('stopped');
      clock.advance(8 * DAY);
      await vi.advanceTimersByTimeAsync(60_000); // the tick: a purge of 90 one-row batches starts
      await auth.close();
      const left = await counts(ds);
      // Stopped early: rows are left, and nothing runs any more.
      expect(left.tokens + left.sessions).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await counts(ds)).toEqual(left);
      const rest = await auth.tokens.purgeExpired({ batchSize: 1000 });
      expect(rest).toEqual(left);
      expect(logged).toEqual([]);
    } finally {
      await closeDataSource(ds);
    }
  });
});

describe('purgeIntervalSeconds: a failing scheduled purge', () => {
  it('is logged at every tick and never thrown into the process', async () => {
    const { ds, auth, logged } = await scheduled('sqlite', { purgeIntervalSeconds: 60 });
    try {
      await ds.destroy();
      for (let tick = 1; tick <= 2; tick++) {
        await vi.advanceTimersByTimeAsync(60_000);
        await settlesAt(() => Promise.resolve(logged.length), tick);
      }
      expect(logged).toEqual([
        'scheduled purge of expired tokens: AuthUnavailableError',
        'scheduled purge of expired tokens: AuthUnavailableError',
      ]);
    } finally {
      await auth.close();
      await closeDataSource(ds);
    }
  });

  it('is off by default, and off with 0 or "off"', async () => {
    for (const options of [{}, { purgeIntervalSeconds: 0 }, { purgeIntervalSeconds: false }]) {
      const { ds, auth } = await scheduled('sqlite', options as AuthOptions);
      try {
        expect(auth.config.purgeIntervalSeconds).toBeNull();
        expect(vi.getTimerCount()).toBe(0);
      } finally {
        await auth.close();
        await closeDataSource(ds);
      }
    }
  });
});
