import { availableParallelism } from 'node:os';
import { AuthBusyError } from '../errors/http-errors';

/**
 * How many bcrypt operations may run at once by default: one core fewer than the machine has
 * (at least one), so the event loop always keeps a core while logins hash. Protected routes then
 * stay fast during a login storm; logins queue instead.
 */
export function defaultHashConcurrency(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * How many bcrypt operations may wait for a slot by default: 8 per slot. At cost 12 (about
 * 250 ms a compare on one core of the machines this was measured on) a login then waits about
 * 2 s at most before its turn; the next one is shed with 503 `auth_busy`.
 */
export function defaultHashQueueLimit(concurrency: number): number {
  return 8 * concurrency;
}

/**
 * A counting semaphore: at most `limit` tasks run, at most `maxWaiting` more wait in order (never
 * on the event loop), and a task arriving when both are full is refused with
 * {@link AuthBusyError} (503, `Retry-After`) without running.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private refused = 0;
  private readonly waiting: (() => void)[] = [];

  /**
   * @param limit - tasks allowed at once (≥ 1).
   * @param maxWaiting - tasks allowed to wait for a slot (≥ 0). Default: no bound.
   */
  constructor(
    readonly limit: number,
    readonly maxWaiting: number = Infinity,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('limit must be a positive integer');
    if (maxWaiting !== Infinity && (!Number.isInteger(maxWaiting) || maxWaiting < 0))
      throw new RangeError('maxWaiting must be a whole number (or Infinity)');
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Tasks refused so far because the queue was full. */
  get shed(): number {
    return this.refused;
  }

  /** Runs `task` when a slot is free; throws {@link AuthBusyError} when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) {
        this.refused++;
        throw new AuthBusyError();
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.active--;
      else next(); // the slot passes straight to the next task
    }
  }
}
