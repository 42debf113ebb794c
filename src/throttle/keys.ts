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
 * The name an IP is counted under. IPv4 is kept as is (an IPv4-mapped IPv6 address such as
 * `::ffff:192.0.2.7` counts as `192.0.2.7`); IPv6 counts per /64 — one subscriber or host usually
 * holds a whole /64, so counting single addresses would give it 2^64 fresh counters. Anything else
 * (`unknown`, a proxy's odd header) is hashed to a fixed size.
 */
export function ipCounterKey(ip: string): string {
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version === 0) return `#${digest(ip)}`;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped !== null) return mapped[1] as string;
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, lower-case, without leading zeros. */
function expandIpv6(ip: string): string[] {
  const zone = ip.indexOf('%');
  const bare = (zone === -1 ? ip : ip.slice(0, zone)).toLowerCase();
  const [head, tail] = bare.split('::') as [string, string | undefined];
  const groups = (text: string): string[] => {
    if (text === '') return [];
    const parts = text.split(':');
    const last = parts[parts.length - 1] as string;
    if (last.includes('.')) {
      // An embedded IPv4 tail (e.g. 64:ff9b::192.0.2.1) is two groups.
      const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
      parts.splice(-1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
    }
    return parts.map((g) => parseInt(g, 16).toString(16));
  };
  const start = groups(head);
  if (tail === undefined) return start;
  const end = groups(tail);
  return [...start, ...Array<string>(8 - start.length - end.length).fill('0'), ...end];
}

/**
 * Fixed-size counter keys: the folded identifier is hashed (22 characters whatever was sent); the
 * IP is named by {@link ipCounterKey} (IPv6 per /64).
 */
export function attemptKeys(
  identifier: string,
  ip: string,
  fold: (identifier: string) => string,
): AttemptKeys {
  const account = digest(fold(identifier));
  const ipKey = ipCounterKey(ip);
  return { ip: ipKey, pair: `${account}|${ipKey}`, account };
}
