import { TooManyRequestsError } from '../errors/http-errors';

const WINDOW_MS = 60_000;
/** Above this many tracked sessions, finished windows are swept before a new one is added. */
const SWEEP_AT = 10_000;

/**
 * Refreshes per session per minute, in memory (per instance), on the library's clock: a fixed
 * one-minute window that opens at a session's first refresh. Only sessions whose refresh token
 * passed the signature check are counted, so the map holds real sessions only.
 */
export class RefreshRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /**
   * @param limit - refreshes allowed per session per window.
   * @param now - the clock, ms since the epoch.
   */
  constructor(
    private readonly limit: number,
    private readonly now: () => number,
  ) {}

  /** Counts one refresh of `sessionId`; throws {@link TooManyRequestsError} over the limit. */
  hit(sessionId: string): void {
    const now = this.now();
    let window = this.windows.get(sessionId);
    if (window === undefined || now - window.start >= WINDOW_MS) {
      if (window === undefined && this.windows.size >= SWEEP_AT) this.sweep(now);
      window = { start: now, count: 0 };
      this.windows.set(sessionId, window);
    }
    if (window.count >= this.limit) {
      throw new TooManyRequestsError((window.start + WINDOW_MS - now) / 1000);
    }
    window.count += 1;
  }

  private sweep(now: number): void {
    for (const [id, window] of this.windows) {
      if (now - window.start >= WINDOW_MS) this.windows.delete(id);
    }
  }
}
