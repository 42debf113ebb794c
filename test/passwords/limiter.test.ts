import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AuthBusyError, PasswordHasher, resolveAuthConfig } from '../../src';
import {
  CHECKS_BEFORE_HASH,
  ConcurrencyLimiter,
  defaultHashConcurrency,
  defaultHashQueueLimit,
} from '../../src/passwords/limiter';
import { TEST_SECRET } from '../support/clock';

describe('bcrypt concurrency limit', () => {
  it('runs at most `limit` tasks at once, in order, and all of them', async () => {
    const limiter = new ConcurrencyLimiter(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const release: (() => void)[] = [];
    const tasks = Array.from({ length: 6 }, (_, i) =>
      limiter.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        return i;
      }),
    );
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setImmediate(r));
      expect(running).toBe(Math.min(2, 6 - i)); // two at once until the queue runs dry
      release.shift()?.();
    }
    await new Promise((r) => setImmediate(r));
    release.splice(0).forEach((r) => {
      r();
    });
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('frees its slot when a task fails', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('refuses a limit below 1', () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
  });

  it('PasswordHasher with concurrency 1 still hashes and checks many at once, correctly', async () => {
    const hasher = new PasswordHasher(4, 1);
    const hashes = await Promise.all(
      ['a-pass-1', 'b-pass-2', 'c-pass-3'].map((p) => hasher.hash(p)),
    );
    const results = await Promise.all([
      hasher.check(hashes[0], 'a-pass-1'),
      hasher.check(hashes[1], 'wrong'),
      hasher.check(undefined, 'c-pass-3'),
      hasher.check(hashes[2], 'c-pass-3'),
    ]);
    expect(results).toEqual([true, false, false, true]);
  });

  it('is configurable, defaulting to cores minus one (at least 1)', () => {
    expect(defaultHashConcurrency()).toBe(Math.max(1, availableParallelism() - 1));
    const base = { secretKey: TEST_SECRET };
    expect(resolveAuthConfig(base, {}).passwordConcurrency).toBe(defaultHashConcurrency());
    expect(resolveAuthConfig(base, { AUTH_PASSWORD_CONCURRENCY: '3' }).passwordConcurrency).toBe(3);
    expect(() => resolveAuthConfig({ ...base, passwordConcurrency: 0 }, {})).toThrow(
      /passwordConcurrency/,
    );
  });
});

describe('bcrypt queue limit (pen test finding 5)', () => {
  it('refuses a task with AuthBusyError once the slots and the queue are full', async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const first = limiter.run(() => gate.then(() => 'first'));
    const second = limiter.run(() => Promise.resolve('second'));
    expect([limiter.running, limiter.queued]).toEqual([1, 1]);
    const third = limiter.run(() => Promise.resolve('third'));
    await expect(third).rejects.toBeInstanceOf(AuthBusyError);
    await expect(third).rejects.toMatchObject({
      status: 503,
      code: 'auth_busy',
      retryAfterSeconds: 1,
    });
    expect(limiter.shed).toBe(1);
    open();
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
    expect([limiter.running, limiter.queued]).toEqual([0, 0]);
  });

  it('with maxWaiting 0 sheds whenever every slot is busy', async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    let open = (): void => undefined;
    const first = limiter.run(() => new Promise<void>((resolve) => (open = resolve)));
    await expect(limiter.run(() => Promise.resolve())).rejects.toBeInstanceOf(AuthBusyError);
    open();
    await first;
    await expect(limiter.run(() => Promise.resolve('free again'))).resolves.toBe('free again');
  });

  it('refuses a negative or fractional maxWaiting', () => {
    expect(() => new ConcurrencyLimiter(1, -1)).toThrow(RangeError);
    expect(() => new ConcurrencyLimiter(1, 1.5)).toThrow(RangeError);
  });

  it('passwordQueueLimit is configurable, defaulting to 8 per slot', () => {
    const base = { secretKey: TEST_SECRET, passwordConcurrency: 3 };
    expect(resolveAuthConfig(base, {}).passwordQueueLimit).toBe(24);
    expect(defaultHashQueueLimit(3)).toBe(24);
    expect(resolveAuthConfig(base, { AUTH_PASSWORD_QUEUE_LIMIT: '5' }).passwordQueueLimit).toBe(5);
    expect(resolveAuthConfig({ ...base, passwordQueueLimit: 0 }, {}).passwordQueueLimit).toBe(0);
    expect(() => resolveAuthConfig({ ...base, passwordQueueLimit: -1 }, {})).toThrow(
      /passwordQueueLimit/,
    );
    expect(() => resolveAuthConfig(base, { AUTH_PASSWORD_QUEUE_LIMIT: '2.5' })).toThrow(
      /passwordQueueLimit/,
    );
  });
});

describe('hashing yields to login checks (pen test II: a sign-up flood must not lock logins out)', () => {
  it('hashes wait in a small lane of their own, and a waiting check gets the next slot', async () => {
    const limiter = new ConcurrencyLimiter(1, 8);
    expect(limiter.maxWaitingHashes).toBe(2);
    const order: string[] = [];
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const running = limiter.run(() => gate, 'hash');
    const hashes = [1, 2, 3, 4].map((i) =>
      limiter.run(() => {
        order.push(`hash${i}`);
        return Promise.resolve();
      }, 'hash'),
    );
    const check = limiter.run(() => {
      order.push('check');
      return Promise.resolve();
    });
    const settled = await Promise.allSettled(hashes.slice(2));
    // Hashes 3 and 4 found the hash lane full: shed at once, never queued.
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(limiter.shed).toBe(2);
    expect(limiter.queued).toBe(3);
    open();
    await Promise.all([running, check, ...hashes.slice(0, 2)]);
    expect(order).toEqual(['check', 'hash1', 'hash2']);
  });
});

describe('logins cannot starve hashing (pen test III, F4)', () => {
  it(`with checks arriving all the time, a waiting hash runs after at most ${CHECKS_BEFORE_HASH} checks`, async () => {
    const limiter = new ConcurrencyLimiter(1, 64);
    const order: string[] = [];
    const gates: (() => void)[] = [];
    const tasks: Promise<void>[] = [];
    const enqueue = (kind: 'check' | 'hash', name: string): void => {
      tasks.push(
        limiter.run(() => {
          order.push(name);
          return new Promise<void>((resolve) => gates.push(resolve));
        }, kind),
      );
    };
    /** Lets the running task finish and the slot pass on. */
    const finishOne = async (): Promise<void> => {
      gates.shift()?.();
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    };
    const queuedAt = new Map<string, number>();
    const enqueueHash = (name: string): void => {
      queuedAt.set(name, order.length);
      enqueue('hash', name);
    };
    enqueue('check', 'c0');
    enqueueHash('h1');
    let made = 1;
    // A continuous supply: each time a task finishes, two more checks are waiting.
    for (let round = 0; round < 14; round++) {
      enqueue('check', `c${made++}`);
      enqueue('check', `c${made++}`);
      if (round === 7) enqueueHash('h2');
      await finishOne();
    }
    expect(limiter.queued).toBeGreaterThan(CHECKS_BEFORE_HASH); // checks never ran dry
    for (const hash of ['h1', 'h2']) {
      const started = order.indexOf(hash);
      expect(started, `${hash} ran`).toBeGreaterThan(0);
      const checksFirst = order.slice(queuedAt.get(hash), started);
      expect(checksFirst.every((name) => name.startsWith('c'))).toBe(true);
      expect(checksFirst).toHaveLength(CHECKS_BEFORE_HASH);
    }
    while (gates.length > 0) await finishOne();
    await Promise.all(tasks);
    expect(order).toHaveLength(made + 2);
  });
});
