import { AuthConfigError } from '../errors/config-error';
import { COMMON_WORDS } from './common-words';

/**
 * The floors an HMAC secret must clear at setup, beyond its length (SECURITY.md 2: at least 32
 * *random* bytes). A secret of random bytes clears them with a wide margin; what they catch is a
 * secret a person typed.
 */
export const SECRET_FLOORS = {
  /** Fewest distinct byte values (a random 32-byte secret has about 30). */
  distinctBytes: 8,
  /** Largest share of the secret that placeholder words may cover. */
  placeholderShare: 0.5,
  /** Fewest estimated bits of entropy (see {@link estimateSecretBits}). */
  entropyBits: 128,
} as const;

/** Words that mark a secret someone typed or copied from an example (all 3+ letters, lower case). */
const PLACEHOLDER_WORDS: readonly string[] = [
  'secret',
  'changeme',
  'change',
  'password',
  'passwd',
  'example',
  'sample',
  'default',
  'placeholder',
  'dummy',
  'test',
  'demo',
  'token',
  'key',
  'jwt',
  'hmac',
  'your',
  'here',
  'super',
  'admin',
  'letmein',
  'qwerty',
  'replace',
  'insecure',
];

/** Every word the estimate knows: a placeholder or a common one (lengths 3 and up). */
const WORDS: ReadonlySet<string> = new Set([...PLACEHOLDER_WORDS, ...COMMON_WORDS]);
const LONGEST_WORD = Math.max(...[...WORDS].map((w) => w.length));
const WORD_BITS = Math.log2(WORDS.size) + 1; // which word, and its capitalization
/** Bytes people put between words; one right after a word costs only whether it is there. */
const SEPARATORS = ' -_.,:;/+!?';
const SEPARATOR_BITS = 1;
/**
 * A word-shaped token between separators (or the ends): lower case or capitalized letters with a
 * vowel. In typed text its next word is worth about this many bits (natural language runs near
 * 1–2 bits a letter), whether or not the word is one of {@link WORDS}.
 */
const TYPED_WORD_BITS = 6;
const TYPED_WORD = /^[A-Za-z][a-z]{0,19}/;
const VOWEL = /[aeiouy]/i;
const MIN_MATCH = 3;
const MAX_STEP = 2; // runs such as "aaa", "abc", "9753"

const ENV_NAMES: Record<string, string> = {
  secretKey: 'AUTH_SECRET_KEY',
  refreshSecretKey: 'AUTH_REFRESH_SECRET_KEY',
};

/** How many symbols a brute-force guesser must try per byte, from the classes the secret uses. */
function cardinality(bytes: Uint8Array): number {
  let lower = false;
  let upper = false;
  let digit = false;
  let symbol = false;
  for (const b of bytes) {
    if (b < 0x20 || b > 0x7e) return 256;
    if (b >= 0x61 && b <= 0x7a) lower = true;
    else if (b >= 0x41 && b <= 0x5a) upper = true;
    else if (b >= 0x30 && b <= 0x39) digit = true;
    else symbol = true;
  }
  return (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (symbol ? 33 : 0);
}

/** Length of the run at `i` whose bytes differ by one constant step of at most {@link MAX_STEP}. */
function runLength(bytes: Uint8Array, i: number): number {
  if (i + 1 >= bytes.length) return 1;
  const step = (bytes[i + 1] ?? 0) - (bytes[i] ?? 0);
  if (Math.abs(step) > MAX_STEP) return 1;
  let end = i + 1;
  while (end + 1 < bytes.length && (bytes[end + 1] ?? 0) - (bytes[end] ?? 0) === step) end++;
  return end - i + 1;
}

/** Length of the longest earlier copy of the bytes at `i` (LZ77-style, overlap allowed). */
function repeatLength(bytes: Uint8Array, i: number): number {
  let best = 0;
  for (let j = 0; j < i; j++) {
    let k = 0;
    while (i + k < bytes.length && bytes[j + k] === bytes[i + k]) k++;
    if (k > best) best = k;
  }
  return best;
}

/** Length of the longest known word (placeholder or common) at `i` of the lower-cased text. */
function wordLength(lower: string, i: number): number {
  for (let length = Math.min(LONGEST_WORD, lower.length - i); length >= MIN_MATCH; length--) {
    if (WORDS.has(lower.slice(i, i + length))) return length;
  }
  return 0;
}

/** Length of the word-shaped token at `i` when it stands between separators or ends, else 0. */
function typedWordLength(text: string, i: number): number {
  if (i > 0 && !SEPARATORS.includes(text.charAt(i - 1))) return 0;
  const match = TYPED_WORD.exec(text.slice(i, i + 21));
  if (match === null) return 0;
  const word = match[0];
  const next = text.charAt(i + word.length);
  if (next !== '' && !SEPARATORS.includes(next)) return 0;
  return VOWEL.test(word) ? word.length : 0;
}

/** One byte per character, lower-cased, so indices match the bytes. */
function lowerText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1').toLowerCase();
}

/**
 * A conservative estimate of a secret's entropy in bits, in the spirit of zxcvbn: reading left to
 * right, the longest of a run (`aaaa`, `abcd`, `2468`), a copy of earlier bytes, or a placeholder
 * or common English word, when at least 3 bytes long, costs a few bits (what it is, where, how
 * long; a word, which of the few hundred known ones; a word-shaped token between spaces or
 * dashes, about 6 bits, as words of typed text are; a separator right after a word, 1 bit), so a
 * typed phrase scores what its words are worth; any other byte
 * costs log2 of the alphabet the secret draws from (26 per letter case, 10 digits, 33 ASCII
 * symbols, or 256 as soon as one byte is outside printable ASCII). A random 32-byte secret scores
 * about 256; 48 random bytes in base64url about 380.
 */
export function estimateSecretBits(bytes: Uint8Array): number {
  const literal = Math.log2(cardinality(bytes));
  const lower = lowerText(bytes);
  const text = Buffer.from(bytes).toString('latin1');
  let bits = 0;
  let afterWord = false;
  for (let i = 0; i < bytes.length;) {
    if (afterWord && SEPARATORS.includes(lower.charAt(i))) {
      bits += SEPARATOR_BITS;
      afterWord = false;
      i += 1;
      continue;
    }
    const typed = typedWordLength(text, i);
    if (typed > 0 && typed >= wordLength(lower, i)) {
      bits += Math.min(TYPED_WORD_BITS, typed * 4);
      afterWord = true;
      i += typed;
      continue;
    }
    const run = runLength(bytes, i);
    const copy = repeatLength(bytes, i);
    const word = wordLength(lower, i);
    const longest = Math.max(run, copy, word);
    afterWord = longest >= MIN_MATCH && longest === word;
    if (longest < MIN_MATCH) {
      bits += literal;
      i += 1;
      continue;
    }
    const lengthBits = Math.log2(longest);
    if (longest === word) bits += WORD_BITS;
    else if (longest === run) bits += literal + Math.log2(2 * MAX_STEP + 1) + lengthBits;
    else bits += Math.log2(i) + lengthBits;
    i += longest;
  }
  return bits;
}

/** The smallest period of the bytes: `p` such that every byte equals the one `p` before it. */
function period(bytes: Uint8Array): number {
  for (let p = 1; p < bytes.length; p++) {
    let repeats = true;
    for (let k = p; k < bytes.length && repeats; k++) repeats = bytes[k] === bytes[k - p];
    if (repeats) return p;
  }
  return bytes.length;
}

/** The placeholder words found, and the share of the bytes they cover. */
function placeholders(bytes: Uint8Array): { words: string[]; share: number } {
  const lower = lowerText(bytes);
  const covered = new Uint8Array(bytes.length);
  const words: string[] = [];
  for (const word of PLACEHOLDER_WORDS) {
    for (let at = lower.indexOf(word); at !== -1; at = lower.indexOf(word, at + 1)) {
      covered.fill(1, at, at + word.length);
      if (!words.includes(word)) words.push(word);
    }
  }
  const share = bytes.length === 0 ? 0 : covered.reduce((n, c) => n + c, 0) / bytes.length;
  return { words, share };
}

/**
 * Refuses an HMAC secret that is long enough but not random: mostly placeholder words, a short
 * pattern repeated, too few distinct bytes, or an estimated entropy under
 * {@link SECRET_FLOORS}.entropyBits. The message names the key, what is wrong (never the secret)
 * and the fix.
 *
 * @param key - the option at fault (`secretKey` or `refreshSecretKey`).
 * @param bytes - the secret's bytes.
 */
export function checkSecretStrength(key: string, bytes: Uint8Array): void {
  const env = ENV_NAMES[key] ?? key;
  const refuse = (problem: string): never => {
    throw new AuthConfigError(
      key,
      `the HMAC secret ${problem}: it must be random bytes, not typed text. Set ${env} (or the ` +
        `${key} option) to at least 32 random bytes, e.g. the output of: ` +
        `node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))"`,
    );
  };
  const found = placeholders(bytes);
  if (found.share > SECRET_FLOORS.placeholderShare) {
    refuse(`is mostly placeholder words (${found.words.join(', ')})`);
  }
  const p = period(bytes);
  if (p <= bytes.length / 2) refuse(`is a ${String(p)}-byte pattern repeated`);
  const distinct = new Set(bytes).size;
  if (distinct < SECRET_FLOORS.distinctBytes) {
    refuse(
      `has only ${String(distinct)} distinct byte values (at least ` +
        `${String(SECRET_FLOORS.distinctBytes)} required)`,
    );
  }
  const bits = estimateSecretBits(bytes);
  if (bits < SECRET_FLOORS.entropyBits) {
    refuse(
      `is guessable: about ${String(Math.floor(bits))} bits of entropy estimated (runs, repeats ` +
        `and words count little), at least ${String(SECRET_FLOORS.entropyBits)} required`,
    );
  }
}
