/**
 * The one rounds-and-summary loop every section uses: entries measured in interleaved rounds
 * (the order rotates each round, so no entry always runs first or right after the same other),
 * then per entry the median of every numeric field over the rounds, errors summed, and the
 * requests/s of each round kept for the report.
 */
import { fmt, log, median, rotate } from './util.mjs';

/** Fields that are counts to add up over the rounds, not values to take the median of. */
const SUMMED = new Set(['errors', 'non2xx', 'loginErrors']);

/** The progress line of one measured window. */
export const describeWindow = (m) =>
  `${fmt(m.rps)} req/s  p50 ${fmt(m.p50, 2)} ms  p99 ${fmt(m.p99, 2)} ms  q/req ${fmt(m.queriesPerRequest, 2)}  cpu ${fmt(m.cpuMicrosPerRequest)} µs/req  err ${m.errors + m.non2xx}${
    m.pool
      ? `  pool: ${fmt(m.pool.checkoutsPerRequest, 2)} checkouts/req, ${fmt(m.pool.queuedShare * 100, 1)} % queued, ${fmt(m.pool.waitMicrosPerRequest)} µs wait/req, held ${fmt(m.pool.holdMicrosPerCheckout)} µs, busy ${fmt(m.pool.busyShare * 100)} %`
      : ''
  }${m.loopDelay ? `  loop lag ${fmt(m.loopDelay.meanMs, 1)} ms` : ''}${
    m.cache
      ? `  cache hits ${fmt(m.cache.hitRate * 100, 1)} % (${m.cache.hits} hits, ${m.cache.misses} misses)`
      : ''
  }`;

/**
 * Runs `run(entry, round)` for every entry in each of `rounds` rounds and summarizes.
 *
 * @param {object} spec
 * @param {string} spec.label        progress-line prefix (the section)
 * @param {{id: string}[]} spec.entries
 * @param {number} spec.rounds
 * @param {boolean} [spec.interleave] rotate the order each round (default true); false keeps a
 *                                   fixed order, for entries that must follow each other
 * @param {(entry, round: number) => Promise<object>} spec.run  one measured window
 * @param {(m: object) => string} [spec.describe] the progress line of one window
 * @returns {Promise<{rounds: object[], summary: Record<string, object>}>}
 */
export async function runRounds({
  label,
  entries,
  rounds,
  interleave = true,
  run,
  describe = describeWindow,
}) {
  const width = Math.max(...entries.map((e) => e.id.length));
  const measured = [];
  for (let round = 0; round < rounds; round++) {
    for (const entry of interleave ? rotate(entries, round) : entries) {
      const m = await run(entry, round);
      measured.push({ round, id: entry.id, ...m });
      log(`${label} r${round + 1} ${entry.id.padEnd(width)} ${describe(m)}`);
    }
  }
  return {
    rounds: measured,
    summary: summarizeRounds(
      measured,
      entries.map((e) => e.id),
    ),
  };
}

/** The median of each numeric field (nested objects such as `pool` too), counts summed. */
function medians(rows) {
  const out = {};
  for (const key of Object.keys(rows[0] ?? {})) {
    if (key === 'round' || key === 'id') continue;
    const values = rows.map((r) => r[key]);
    if (values.every((v) => typeof v === 'number')) {
      out[key] = SUMMED.has(key) ? values.reduce((a, b) => a + b, 0) : median(values);
    } else if (values.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
      out[key] = medians(values);
    }
  }
  return out;
}

/**
 * Per entry: medians over its rounds, `errors` = connection errors + timeouts + non-2xx of all
 * rounds, `rpsPerRound` in round order.
 */
export function summarizeRounds(measured, ids) {
  const summary = {};
  for (const id of ids) {
    const rows = measured.filter((r) => r.id === id);
    const m = medians(rows);
    summary[id] = {
      ...m,
      errors: (m.errors ?? 0) + (m.non2xx ?? 0),
      rpsPerRound: rows.map((r) => r.rps),
    };
  }
  return summary;
}

/** `summary[id][field] / summary[base][field]`, NaN when either is missing. */
export function ratio(summary, id, base, field = 'rps') {
  const a = summary?.[id]?.[field];
  const b = summary?.[base]?.[field];
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN;
}
