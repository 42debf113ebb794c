import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { csrfTokenFor } from '../../../src/http/csrf';
import { buildTestApp, type TestApp } from '../app';
import { TEST_SECRET } from '../clock';
import { CHALLENGES, type Reply } from './errors';
import { close, listen } from './servers';

/** Per-file counters: the suite prints them and fails if any hostile input got through. */
export interface Tally {
  /** Hostile inputs sent. */
  tried: number;
  /** Hostile inputs answered 2xx (must stay 0). */
  accepted: number;
  /** Responses with a 5xx status (must stay 0). */
  serverErrors: number;
  /** Deliberately valid inputs (controls) answered 2xx as expected. */
  controls: number;
  /** Test cases run. */
  cases: number;
}

/**
 * Creates the file's tally, counts its cases, and at the end prints one summary line and fails
 * the file if a hostile input was accepted or anything answered 5xx.
 */
export function securityTally(file: string, extra: () => string = () => ''): Tally {
  const tally: Tally = { tried: 0, accepted: 0, serverErrors: 0, controls: 0, cases: 0 };
  afterEach(() => {
    tally.cases += 1;
  });
  afterAll(() => {
    const more = extra();
    console.log(
      `[security] ${file}: cases=${tally.cases} inputs=${tally.tried} accepted=${tally.accepted} ` +
        `5xx=${tally.serverErrors} controls=${tally.controls}${more === '' ? '' : ` ${more}`}`,
    );
    expect({ accepted: tally.accepted, serverErrors: tally.serverErrors }).toEqual({
      accepted: 0,
      serverErrors: 0,
    });
  });
  return tally;
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{8,}/;
const BCRYPT = /\$2[abxy]?\$/;
const STACK = /(\n\s+at\s)|(\bat\s+\S+\s+\(\S+:\d+:\d+\))|(\.(ts|js|mjs|cjs):\d+:\d+)/;
const SQL =
  /\b(select\s[\s\S]*\sfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|where\s+\S+\s*=)\b/i;
const DRIVER =
  /SQLITE_|sqlite|QueryFailed|\bER_[A-Z_]{3,}|mysql|mariadb|postgres|\bpg\b|typeorm|syntax error|constraint failed|duplicate key|better-sqlite3|\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/i;

function headerText(headers: Reply['headers']): string {
  return Object.entries(headers)
    .filter(([name]) => name !== 'date')
    .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join('\n') : String(value)}`)
    .join('\n');
}

/**
 * Asserts a response leaks nothing: no stack, token, bcrypt hash, SQL or driver text, nor any of
 * `secrets` (the test secret is always one; pass the token or password the request carried).
 */
export function expectNoLeak(res: Reply, secrets: readonly string[] = []): void {
  const seen = `${res.text}\n${headerText(res.headers)}`;
  const context = `${res.status} ${seen.slice(0, 400)}`;
  expect(BCRYPT.test(seen), `bcrypt hash in ${context}`).toBe(false);
  expect(STACK.test(seen), `stack in ${context}`).toBe(false);
  expect(SQL.test(seen), `SQL in ${context}`).toBe(false);
  expect(DRIVER.test(seen), `driver text in ${context}`).toBe(false);
  expect(JWT_LIKE.test(seen), `token in ${context}`).toBe(false);
  for (const secret of [TEST_SECRET, ...secrets]) {
    if (secret.trim().length >= 16) {
      expect(seen.includes(secret), `secret echoed in ${context}`).toBe(false);
    }
  }
}

/** Counts one hostile input: sent, and whether it was accepted (2xx) or broke the server (5xx). */
function count(tally: Tally, res: Reply): void {
  tally.tried += 1;
  if (res.status >= 200 && res.status < 300) tally.accepted += 1;
  if (res.status >= 500) tally.serverErrors += 1;
}

/** What a refusal must look like. `challenge` overrides the code's usual `WWW-Authenticate`. */
export interface Refusal {
  challenge?: string | undefined;
  secrets?: readonly string[];
}

/**
 * Records a hostile input's response and asserts it was refused with exactly `status` and
 * `code`, a `{ name, code, message }` body, the right `WWW-Authenticate`, and no leak.
 */
export function expectRefused(
  tally: Tally,
  res: Reply,
  status: number,
  code: string,
  refusal: Refusal = {},
): void {
  count(tally, res);
  const body = res.body as Record<string, unknown> | null;
  expect({ status: res.status, code: body?.code }, `body: ${res.text.slice(0, 300)}`).toEqual({
    status,
    code,
  });
  const text = expect.any(String) as unknown;
  expect(body).toEqual({ name: text, code, message: text });
  const challenge = 'challenge' in refusal ? refusal.challenge : CHALLENGES[code];
  expect(res.headers['www-authenticate']).toBe(challenge);
  expectNoLeak(res, refusal.secrets);
}

/** Records a deliberately valid input (a control) and asserts it was accepted. */
export function expectAccepted(tally: Tally, res: Reply, status = 200): void {
  expect(res.status, `body: ${res.text.slice(0, 300)}`).toBe(status);
  tally.controls += 1;
}

/**
 * Records a hostile input that Node's HTTP parser refuses before Express runs (a header over the
 * size limit, a NUL byte): there is no coded body then, only a bare status.
 */
export function expectNodeRefused(tally: Tally, res: Reply, status: number): void {
  count(tally, res);
  expect({ status: res.status, text: res.text }).toEqual({ status, text: '' });
  expectNoLeak(res);
}

/** Records one fuzzed response: never 2xx, never 5xx, always a coded body, never a leak. */
export function recordFuzz(tally: Tally, res: Reply, allowed: readonly string[]): void {
  count(tally, res);
  const body = res.body as Record<string, unknown> | null;
  const code = typeof body?.code === 'string' ? body.code : undefined;
  expect(
    { ok: res.status === 400 || res.status === 401, known: allowed.includes(code ?? '') },
    `${res.status} ${res.text.slice(0, 300)}`,
  ).toEqual({ ok: true, known: true });
  // A 401 carries its exact challenge; a 400 from body parsing carries none.
  const challenges =
    res.status === 401 ? [CHALLENGES[code ?? '']] : [CHALLENGES[code ?? ''], undefined];
  expect(challenges).toContain(res.headers['www-authenticate']);
  expectNoLeak(res);
}

/** What every security file needs: the test app on a real socket and a live token pair of alice. */
export interface SecurityApp {
  t: TestApp;
  server: Server;
  live: string;
  liveRefresh: string;
  /** The CSRF token of the live pair's session (what the cookie login would have set). */
  csrf: string;
}

/** Builds the app before the file's tests (handing it to `use`) and closes it after. */
export function useSecurityApp(use: (app: SecurityApp) => void): void {
  let app: SecurityApp | undefined;
  beforeAll(async () => {
    const t = await buildTestApp();
    const server = await listen(t.app);
    const pair = await t.auth.tokens.createTokenPair(t.users.alice.id);
    const csrf = csrfTokenFor(pair.sessionId, t.auth.config);
    app = { t, server, live: pair.accessToken, liveRefresh: pair.refreshToken, csrf };
    use(app);
  });
  afterAll(async () => {
    await close(app?.server);
    await app?.t.close();
  });
}
