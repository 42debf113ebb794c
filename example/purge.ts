import type { TokenService } from 'routing-controllers-auth';

/** How often the example purges expired tokens when `PURGE_INTERVAL_MINUTES` is unset: hourly. */
export const DEFAULT_PURGE_INTERVAL_MINUTES = 60;

/** The longest interval a Node timer holds (2^31 − 1 ms, about 24.8 days), in whole minutes. */
const MAX_INTERVAL_MINUTES = Math.floor((2 ** 31 - 1) / 60_000);

/**
 * `PURGE_INTERVAL_MINUTES` in milliseconds: unset or empty → {@link DEFAULT_PURGE_INTERVAL_MINUTES};
 * `0` or `off` → `null` (no scheduled purge); a positive number of minutes (fractions allowed) up
 * to 35791 (a Node timer's limit). Anything else throws, naming the variable.
 */
export function purgeIntervalMs(raw: string | undefined): number | null {
  const text = raw?.trim() ?? '';
  if (text === '') return DEFAULT_PURGE_INTERVAL_MINUTES * 60_000;
  if (text.toLowerCase() === 'off') return null;
  const minutes = Number(text);
  if (!/^\d*\.?\d+$/.test(text) || minutes > MAX_INTERVAL_MINUTES) {
    throw new Error(
      `PURGE_INTERVAL_MINUTES must be a number of minutes from 0 (off) to ${MAX_INTERVAL_MINUTES}, ` +
        `got "${text}".`,
    );
  }
  return minutes === 0 ? null : Math.max(1, Math.round(minutes * 60_000));
}

/** Options of {@link schedulePurge}. */
export interface PurgeScheduleOptions {
  /** Milliseconds between two purges. */
  intervalMs: number;
  /** Where a purge that deleted rows is reported. Default `console.log`. */
  log?: (line: string) => void;
  /** Where a failed purge is reported. Default `console.error`. */
  logError?: (line: string) => void;
}

/** A running schedule. */
export interface PurgeSchedule {
  /** The interval timer; `unref()`ed, so it never keeps the process alive on its own. */
  readonly timer: NodeJS.Timeout;
  /** Resolves once no purge is running (at once when none is). */
  idle: () => Promise<void>;
  /** Stops the schedule and waits for a purge under way to finish. */
  stop: () => Promise<void>;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const reason = cause instanceof Error ? ` (${cause.message})` : '';
  return `${error.name}: ${error.message}${reason}`;
}

/**
 * Calls `tokens.purgeExpired()` every `intervalMs`, so the token and session tables do not grow
 * without end (DESIGN.md: expired rows are purged by a call the user schedules). A purge that
 * fails is logged and retried at the next tick: it never throws into the process. A tick that
 * comes while the previous purge still runs is skipped.
 *
 * @example
 * ```ts
 * const purge = schedulePurge(Container.get(TokenService), { intervalMs: 60 * 60_000 });
 * process.once('SIGTERM', () => void purge.stop());
 * ```
 */
export function schedulePurge(
  tokens: Pick<TokenService, 'purgeExpired'>,
  { intervalMs, log = console.log, logError = console.error }: PurgeScheduleOptions,
): PurgeSchedule {
  let running: Promise<void> | undefined;
  const minutes = intervalMs / 60_000;
  const purge = async (): Promise<void> => {
    try {
      const deleted = await tokens.purgeExpired();
      if (deleted.tokens > 0 || deleted.sessions > 0) {
        log(`Purged expired rows (tokens: ${deleted.tokens}, sessions: ${deleted.sessions}).`);
      }
    } catch (error) {
      logError(
        `Purging expired tokens failed, next try in ${minutes} minutes: ${describeError(error)}`,
      );
    }
  };
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = purge().finally(() => {
      running = undefined;
    });
  }, intervalMs);
  timer.unref();
  const idle = async (): Promise<void> => {
    await running;
  };
  return {
    timer,
    idle,
    stop: async () => {
      clearInterval(timer);
      await idle();
    },
  };
}
