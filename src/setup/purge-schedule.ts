import type { BackgroundErrorLogger } from '../account/background';
import type { TokenService } from '../tokens/token-service';

/** @internal A running purge schedule of one setup. */
export interface PurgeSchedule {
  /** Stops the timer, stops a purge under way between two batches, and waits for it. */
  stop(): Promise<void>;
}

/**
 * @internal Calls `tokens.purgeExpired()` every `intervalMs` (`purgeIntervalSeconds`). A tick
 * that comes while the previous purge still runs is skipped; a purge that fails is logged and
 * tried again at the next tick, never thrown; the timer is `unref()`ed, so it never keeps the
 * process alive on its own.
 */
export function startPurgeSchedule(
  tokens: Pick<TokenService, 'purgeExpired'>,
  intervalMs: number,
  logError: BackgroundErrorLogger,
): PurgeSchedule {
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  const purge = async (): Promise<void> => {
    try {
      await tokens.purgeExpired({ signal: stopping.signal });
    } catch (error) {
      try {
        logError('scheduled purge of expired tokens', error);
      } catch {
        // A failing logger must not turn into an unhandled rejection.
      }
    }
  };
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = purge().finally(() => {
      running = undefined;
    });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}
