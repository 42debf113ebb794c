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
 * How many login checks may take a free slot ahead of a waiting hash before that hash goes next:
 * hashing yields to logins, but a steady trickle of logins cannot starve it for ever.
 */
export const CHECKS_BEFORE_HASH = 4;

/**
 * What a task is for. Login checks come first: a task of kind `hash` (registration, a password
 * change) may wait only in a small lane of its own and gets a free slot ahead of a waiting login
 * check only after {@link CHECKS_BEFORE_HASH} checks went first, so a flood of sign-ups can neither
 * fill the queue nor make a real login wait behind it, and logins cannot lock out hashing.
 */
export type TaskKind = 'check' | 'hash';

/**
 * A counting semaphore: at most `limit` tasks run, at most `maxWaiting` login checks wait in order
 * (never on the event loop), and a task arriving when its lane is full is refused with
 * {@link AuthBusyError} (503, `Retry-After`) without running. Hashes wait in a lane of a quarter of
 * `maxWaiting` (at least one) and are served after any waiting check — except that once
 * {@link CHECKS_BEFORE_HASH} checks took a slot while a hash waited, the oldest hash goes next.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private refused = 0;
  /** Checks served from the queue while a hash waited, since a hash last got a slot. */
  private checksAhead = 0;
  private readonly waiting: Record<TaskKind, (() => void)[]> = { check: [], hash: [] };

  /** Tasks of kind `hash` allowed to wait. */
  readonly maxWaitingHashes: number;

  /**
   * @param limit - tasks allowed at once (≥ 1).
   * @param maxWaiting - login checks allowed to wait for a slot (≥ 0). Default: no bound.
   */
  constructor(
    readonly limit: number,
    readonly maxWaiting: number = Infinity,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('limit must be a positive integer');
    if (maxWaiting !== Infinity && (!Number.isInteger(maxWaiting) || maxWaiting < 0))
      throw new RangeError('maxWaiting must be a whole number (or Infinity)');
    this.maxWaitingHashes =
      maxWaiting === Infinity ? Infinity : Math.max(1, Math.floor(maxWaiting / 4));
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot now. */
  get queued(): number {
    return this.waiting.check.length + this.waiting.hash.length;
  }

  /** Tasks refused so far because their lane was full. */
  get shed(): number {
    return this.refused;
  }

  /** Runs `task` when a slot is free; throws {@link AuthBusyError} when its lane is full. */
  async run<T>(task: () => Promise<T>, kind: TaskKind = 'check'): Promise<T> {
    if (this.active >= this.limit) {
      const lane = this.waiting[kind];
      const room = kind === 'check' ? this.maxWaiting : this.maxWaitingHashes;
      if (lane.length >= room) {
        this.refused++;
        throw new AuthBusyError();
      }
      await new Promise<void>((resolve) => lane.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      // The slot passes straight to the next task.
      const next = this.next();
      if (next === undefined) this.active--;
      else next();
    }
  }

  /** The next waiting task: a login check before any hash, unless hashes were passed over enough. */
  private next(): (() => void) | undefined {
    const { check, hash } = this.waiting;
    if (hash.length > 0 && (check.length === 0 || this.checksAhead >= CHECKS_BEFORE_HASH)) {
      this.checksAhead = 0;
      return hash.shift();
    }
    if (hash.length > 0) this.checksAhead++;
    return check.shift();
  }
}
