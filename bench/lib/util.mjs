/* global clearTimeout */
/** Small helpers every part of the bench driver uses: paths, logging, statistics, formatting. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/../..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Progress goes to stderr; the report alone goes to stdout. */
export const log = (...args) => console.error('[bench]', ...args);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted, q) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

/** `xs` rotated left by `by`: round r of an interleaved run starts with a different entry. */
export const rotate = (xs, by) => xs.map((_, i) => xs[(i + by) % xs.length]);

export const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
export const fmtRatio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');

/** `promise`, or a rejection naming `what` after `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
