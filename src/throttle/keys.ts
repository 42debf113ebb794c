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

/** The IPv4 address in the low 32 bits of eight IPv6 groups. */
function embeddedIpv4(groups: readonly number[]): string {
  const [high, low] = groups.slice(6) as [number, number];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * The IPv4 address an IPv6 address stands for, in any spelling: IPv4-mapped (`::ffff:a.b.c.d`,
 * `::ffff:c000:207`, `0:0:0:0:0:ffff:…`), IPv4-compatible (`::a.b.c.d`, but not `::1` or `::`:
 * the top 16 bits of the IPv4 part must not be zero) and NAT64 (`64:ff9b::/96`). `null` otherwise.
 */
function ipv4Of(groups: readonly number[]): string | null {
  const [a, b, c, d, e, f, g] = groups as [number, number, number, number, number, number, number];
  const zeroes = c === 0 && d === 0 && e === 0;
  if (a === 0 && b === 0 && zeroes && f === 0xffff) return embeddedIpv4(groups);
  if (a === 0 && b === 0 && zeroes && f === 0 && g !== 0) return embeddedIpv4(groups);
  if (a === 0x64 && b === 0xff9b && zeroes && f === 0) return embeddedIpv4(groups);
  return null;
}

/**
 * The name an IP is counted under. IPv4 is kept as is, and so is the IPv4 address behind an
 * IPv4-mapped, IPv4-compatible or NAT64 (`64:ff9b::/96`) IPv6 address, in any spelling
 * (`::ffff:192.0.2.7`, `::ffff:c000:207` and `64:ff9b::c000:207` all count as `192.0.2.7`); other
 * IPv6 counts per /64 — one subscriber or host usually holds a whole /64, so counting single
 * addresses would give it 2^64 fresh counters. Anything else (`unknown`, a proxy's odd header) is
 * hashed to a fixed size.
 */
export function ipCounterKey(ip: string): string {
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version === 0) return `#${digest(ip)}`;
  const groups = expandIpv6(ip);
  const ipv4 = ipv4Of(groups);
  if (ipv4 !== null) return ipv4;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address. */
function expandIpv6(ip: string): number[] {
  const zone = ip.indexOf('%');
  const bare = (zone === -1 ? ip : ip.slice(0, zone)).toLowerCase();
  const [head, tail] = bare.split('::') as [string, string | undefined];
  const groups = (text: string): number[] => {
    if (text === '') return [];
    const parts = text.split(':');
    const last = parts[parts.length - 1] as string;
    if (!last.includes('.')) return parts.map((g) => parseInt(g, 16));
    // An embedded IPv4 tail (e.g. 64:ff9b::192.0.2.1) is two groups.
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    return [...parts.slice(0, -1).map((g) => parseInt(g, 16)), (a << 8) | b, (c << 8) | d];
  };
  const start = groups(head);
  if (tail === undefined) return start;
  const end = groups(tail);
  return [...start, ...Array<number>(8 - start.length - end.length).fill(0), ...end];
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
