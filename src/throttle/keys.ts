import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

const MARKS = /\p{M}/gu;

/**
 * The default identifier fold for throttle counters: every spelling a database may treat as the
 * same account shares one set of counters. Case is folded both ways (`ı`, `ς`, `ß` have case
 * pairs that lower-casing alone misses), the text is decomposed (Unicode NFKD: `é` → `e` + accent,
 * `Ａ` → `A`) and its combining marks are dropped, then it is trimmed.
 *
 * This is at least as wide as MariaDB/MySQL's `utf8mb4_general_ci` (`alicé`, `ÅLICE`, `ALÌCÉ`
 * all fold to `alice`) except for `ß`, which that collation equates with `s` and this fold with
 * `ss`: a user bridge should still compare the address it found exactly (see the README).
 *
 * @example
 * ```ts
 * foldIdentifier(' ALÌCÉ@Example.COM ') // 'alice@example.com'
 * ```
 */
export function foldIdentifier(identifier: string): string {
  return identifier
    .normalize('NFKD')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKD') // lower-casing İ gives i + U+0307
    .replace(MARKS, '')
    .trim();
}

/** 128 bits of SHA-256, base64url: a fixed-size name for any text. */
function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 22);
}

/** The three counter keys of one login attempt. */
export interface AttemptKeys {
  /** Per client IP. */
  readonly ip: string;
  /** Per (identifier, IP). */
  readonly pair: string;
  /** Per identifier, from every IP. */
  readonly account: string;
}

/**
 * Fixed-size counter keys: the folded identifier is hashed (22 characters whatever was sent); an IP
 * is kept as is when it is an IP address (at most 45 characters), hashed otherwise.
 */
export function attemptKeys(
  identifier: string,
  ip: string,
  fold: (identifier: string) => string,
): AttemptKeys {
  const account = digest(fold(identifier));
  const ipKey = isIP(ip) === 0 ? `#${digest(ip)}` : ip;
  return { ip: ipKey, pair: `${account}|${ipKey}`, account };
}
