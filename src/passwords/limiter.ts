import { availableParallelism } from 'node:os';

/**
 * How many bcrypt operations may run at once by default: one core fewer than the machine has
 * (at least one), so the event loop always keeps a core while logins hash. Protected routes then
 * stay fast during a login storm; logins queue instead.
 */
export function defaultHashConcurrency(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** A counting semaphore: at most `limit` tasks run, the rest wait in order (never on the event loop). */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** @param limit - tasks allowed at once (≥ 1). */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('limit must be a positive integer');
  }

  /** Runs `task` when a slot is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.running--;
      else next(); // the slot passes straight to the next task
    }
  }
}
