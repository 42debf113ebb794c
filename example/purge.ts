/** How often the example purges expired tokens when `PURGE_INTERVAL_MINUTES` is unset: hourly. */
export const DEFAULT_PURGE_INTERVAL_MINUTES = 60;

/** The longest interval a Node timer holds (2^31 − 1 ms, about 24.8 days), in whole minutes. */
const MAX_INTERVAL_MINUTES = Math.floor((2 ** 31 - 1) / 60_000);

/**
 * `PURGE_INTERVAL_MINUTES` as the library's `purgeIntervalSeconds`: unset or empty →
 * {@link DEFAULT_PURGE_INTERVAL_MINUTES}; `0` or `off` → `false` (no scheduled purge); a positive
 * number of minutes (fractions allowed, at least one second) up to 35791 (a Node timer's limit).
 * Anything else throws, naming the variable. The library runs the schedule (`setupAuth` starts
 * it, `auth.close()` stops it, a failed purge is logged and tried again at the next tick).
 */
export function purgeIntervalSeconds(raw: string | undefined): number | false {
  const text = raw?.trim() ?? '';
  if (text === '') return DEFAULT_PURGE_INTERVAL_MINUTES * 60;
  if (text.toLowerCase() === 'off') return false;
  const minutes = Number(text);
  if (!/^\d*\.?\d+$/.test(text) || minutes > MAX_INTERVAL_MINUTES) {
    throw new Error(
      `PURGE_INTERVAL_MINUTES must be a number of minutes from 0 (off) to ${MAX_INTERVAL_MINUTES}, ` +
        `got "${text}".`,
    );
  }
  return minutes === 0 ? false : Math.max(1, Math.round(minutes * 60));
}
