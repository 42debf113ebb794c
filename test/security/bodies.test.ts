import { gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import {
  expectAccepted,
  expectRefused,
  rawRequest,
  securityTally,
  useSecurityApp,
  type Refusal,
} from '../support/http';

const tally = securityTally('bodies');
const ALICE = 'alice@example.com';
let t: TestApp;
let server: Server;
let live: string;
let liveRefresh: string;
useSecurityApp((app) => ({ t, server, live, liveRefresh } = app));
afterAll(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const post = (path: string) => request(server).post(path);
/** A JSON body sent as exactly this text. */
const json = (path: string, text: string) =>
  post(path).set('Content-Type', 'application/json').send(text);
const login = (body: unknown) => post('/auth/login').send(body as object);

/** Body-parser failures are not about credentials: they carry no `WWW-Authenticate`. */
const BODY: Refusal = { challenge: undefined };
type Row =
  | [string, number, string, () => request.Test]
  | [string, number, string, () => request.Test, Refusal];

function refusedAll(title: string, rows: Row[]): void {
  describe(title, () => {
    it.each(rows)('%s → %i %s', async (_name, status, code, send, refusal: Refusal = {}) => {
      expectRefused(tally, await send(), status, code, {
        ...refusal,
        secrets: [live, liveRefresh, PASSWORDS.alice],
      });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
}

refusedAll('POST /auth/login: credentials that are not plain strings', [
  [
    'email {"$ne": null}',
    400,
    'invalid_request',
    () => login({ email: { $ne: null }, password: 'x-password' }),
  ],
  [
    'email and password {"$gt": ""}',
    400,
    'invalid_request',
    () => login({ email: { $gt: '' }, password: { $gt: '' } }),
  ],
  [
    'email ["alice@…"]',
    400,
    'invalid_request',
    () => login({ email: [ALICE], password: PASSWORDS.alice }),
  ],
  ['email a number', 400, 'invalid_request', () => login({ email: 1, password: PASSWORDS.alice })],
  ['email true', 400, 'invalid_request', () => login({ email: true, password: PASSWORDS.alice })],
  ['email null', 400, 'invalid_request', () => login({ email: null, password: PASSWORDS.alice })],
  [
    'username {"$ne": null}',
    400,
    'invalid_request',
    () => login({ username: { $ne: null }, password: 'x-password' }),
  ],
  [
    'password {"$ne": null}',
    400,
    'invalid_request',
    () => login({ email: ALICE, password: { $ne: null } }),
  ],
  [
    'password ["…"]',
    400,
    'invalid_request',
    () => login({ email: ALICE, password: [PASSWORDS.alice] }),
  ],
  ['password a number', 400, 'invalid_request', () => login({ email: ALICE, password: 12345678 })],
  ['password false', 400, 'invalid_request', () => login({ email: ALICE, password: false })],
  ['password null', 400, 'invalid_request', () => login({ email: ALICE, password: null })],
  ['password missing', 400, 'invalid_request', () => login({ email: ALICE })],
  [
    'email and username both',
    400,
    'invalid_request',
    () => login({ email: ALICE, username: ALICE, password: PASSWORDS.alice }),
  ],
  ['email empty', 400, 'invalid_request', () => login({ email: '', password: PASSWORDS.alice })],
  [
    'email whitespace',
    400,
    'invalid_request',
    () => login({ email: ' \t ', password: PASSWORDS.alice }),
  ],
  [
    'email of 321 characters',
    400,
    'invalid_request',
    () => login({ email: `${'a'.repeat(309)}@example.com`, password: 'x-password' }),
  ],
  [
    'email with a NUL byte',
    400,
    'invalid_request',
    () => login({ email: `${ALICE}\u0000`, password: PASSWORDS.alice }),
  ],
  [
    'password of 73 bytes',
    400,
    'password_policy',
    () => login({ email: ALICE, password: 'p'.repeat(73) }),
  ],
  [
    'password = alice’s + NUL + more',
    400,
    'password_policy',
    () => login({ email: ALICE, password: `${PASSWORDS.alice}\u0000tail` }),
  ],
  [
    'SQL in the email',
    401,
    'invalid_credentials',
    () => login({ email: "' OR '1'='1' --", password: 'x-password' }),
  ],
]);

refusedAll('POST /auth/login: prototype-pollution keys', [
  [
    'credentials only under "__proto__"',
    400,
    'invalid_request',
    () => json('/auth/login', `{"__proto__":{"email":"${ALICE}","password":"${PASSWORDS.alice}"}}`),
  ],
  [
    '"__proto__": {polluted}, unknown user',
    401,
    'invalid_credentials',
    () =>
      json(
        '/auth/login',
        '{"__proto__":{"polluted":"yes"},"email":"nobody@example.com","password":"x-password"}',
      ),
  ],
  [
    'constructor.prototype.polluted, wrong password',
    401,
    'invalid_credentials',
    () =>
      json(
        '/auth/login',
        `{"constructor":{"prototype":{"polluted":"yes"}},"email":"${ALICE}","password":"wrong-password"}`,
      ),
  ],
]);

refusedAll('POST /auth/login: bodies that are not a JSON object', [
  [
    'a JSON array',
    400,
    'invalid_request',
    () => json('/auth/login', `[{"email":"${ALICE}","password":"${PASSWORDS.alice}"}]`),
  ],
  ['a JSON string', 400, 'invalid_request', () => json('/auth/login', '"alice"'), BODY],
  ['a JSON number', 400, 'invalid_request', () => json('/auth/login', '42'), BODY],
  ['JSON null', 400, 'invalid_request', () => json('/auth/login', 'null'), BODY],
  ['truncated JSON', 400, 'invalid_request', () => json('/auth/login', '{"email":'), BODY],
  [
    'single-quoted JSON',
    400,
    'invalid_request',
    () => json('/auth/login', "{'email':'a','password':'b'}"),
    BODY,
  ],
  [
    'JSON followed by garbage',
    400,
    'invalid_request',
    () => json('/auth/login', '{"email":"a","password":"b"}x'),
    BODY,
  ],
  ['an empty JSON body', 400, 'invalid_request', () => json('/auth/login', '')],
  ['no body, no content type', 400, 'invalid_request', () => post('/auth/login')],
  [
    'email nested 5000 arrays deep',
    400,
    'invalid_request',
    () =>
      json(
        '/auth/login',
        `{"email":${'['.repeat(5000)}${']'.repeat(5000)},"password":"x-password"}`,
      ),
  ],
  [
    'a body nested 1500 objects deep',
    400,
    'invalid_request',
    () => json('/auth/login', `${'{"a":'.repeat(1500)}1${'}'.repeat(1500)}`),
  ],
  [
    'over 16 kB',
    413,
    'payload_too_large',
    () => login({ email: ALICE, password: PASSWORDS.alice, pad: 'x'.repeat(17 * 1024) }),
    BODY,
  ],
  [
    'text/plain',
    400,
    'invalid_request',
    () =>
      post('/auth/login')
        .set('Content-Type', 'text/plain')
        .send(`{"email":"${ALICE}","password":"${PASSWORDS.alice}"}`),
  ],
  [
    'application/xml',
    400,
    'invalid_request',
    () =>
      post('/auth/login')
        .set('Content-Type', 'application/xml')
        .send(`<login><email>${ALICE}</email></login>`),
  ],
  [
    'multipart/form-data',
    400,
    'invalid_request',
    () => post('/auth/login').field('email', ALICE).field('password', PASSWORDS.alice),
  ],
  [
    'a URL-encoded form',
    400,
    'invalid_request',
    () => post('/auth/login').type('form').send({ email: ALICE, password: PASSWORDS.alice }),
  ],
  [
    'an unsupported charset',
    415,
    'unsupported_media_type',
    () => post('/auth/login').set('Content-Type', 'application/json; charset=x-unknown').send('{}'),
    BODY,
  ],
  [
    'an unsupported Content-Encoding',
    415,
    'unsupported_media_type',
    () => json('/auth/login', '{}').set('Content-Encoding', 'x-unknown'),
    BODY,
  ],
  [
    'gzip that does not inflate',
    400,
    'invalid_request',
    () => json('/auth/login', 'not gzip at all').set('Content-Encoding', 'gzip'),
    BODY,
  ],
]);

describe('POST /auth/login: compressed bodies, sent byte for byte', () => {
  const gzipped = (value: unknown): Buffer => gzipSync(JSON.stringify(value));
  const send = (body: Buffer) =>
    rawRequest(
      server,
      `POST /auth/login HTTP/1.1\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}`,
      body,
    );

  it('gzip inflating past 16 kB (a zip bomb in small) → 413 payload_too_large', async () => {
    const res = await send(gzipped({ email: ALICE, pad: 'x'.repeat(64 * 1024) }));
    expectRefused(tally, res, 413, 'payload_too_large', { challenge: undefined });
  });

  it('gzip cut short → 400 invalid_request', async () => {
    const body = gzipped({ email: ALICE, password: PASSWORDS.alice });
    const res = await send(body.subarray(0, body.length - 12));
    expectRefused(tally, res, 400, 'invalid_request', { challenge: undefined });
  });

  it('control: a well-formed gzip body logs in → 200', async () => {
    expectAccepted(tally, await send(gzipped({ email: ALICE, password: PASSWORDS.alice })));
  });
});

describe('POST /auth/login: a 64 kB chunked body (no Content-Length)', () => {
  it('→ 413 payload_too_large', async () => {
    const chunk = 'x'.repeat(8 * 1024);
    const chunks = Array.from({ length: 8 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const res = await rawRequest(
      server,
      'POST /auth/login HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked',
      `${chunks.join('')}0\r\n\r\n`,
    );
    expectRefused(tally, res, 413, 'payload_too_large');
  });
});

const refreshWith = (body: unknown) => post('/auth/refresh').send(body as object);

refusedAll('POST /auth/refresh: refresh_token shapes', [
  ['a number', 400, 'invalid_request', () => refreshWith({ refresh_token: 42 })],
  ['{"$ne": null}', 400, 'invalid_request', () => refreshWith({ refresh_token: { $ne: null } })],
  [
    'an array holding the live token',
    400,
    'invalid_request',
    () => refreshWith({ refresh_token: [liveRefresh] }),
  ],
  ['null', 400, 'invalid_request', () => refreshWith({ refresh_token: null })],
  ['true', 400, 'invalid_request', () => refreshWith({ refresh_token: true })],
  ['empty string', 400, 'invalid_request', () => refreshWith({ refresh_token: '' })],
  [
    '10k characters',
    401,
    'invalid_token',
    () => refreshWith({ refresh_token: 'a'.repeat(10_000) }),
  ],
  ['garbage', 401, 'invalid_token', () => refreshWith({ refresh_token: 'garbage' })],
  ['an access token', 401, 'wrong_token_type', () => refreshWith({ refresh_token: live })],
  [
    'body and Bearer header at once',
    400,
    'invalid_request',
    () => refreshWith({ refresh_token: liveRefresh }).set('Authorization', `Bearer ${liveRefresh}`),
  ],
  [
    'the live token only under "__proto__"',
    401,
    'missing_credentials',
    () => json('/auth/refresh', `{"__proto__":{"refresh_token":"${liveRefresh}"}}`),
  ],
  [
    'constructor.prototype.polluted',
    401,
    'missing_credentials',
    () => json('/auth/refresh', '{"constructor":{"prototype":{"polluted":"yes"}}}'),
  ],
  [
    'a JSON array holding the live token',
    401,
    'missing_credentials',
    () => json('/auth/refresh', `[{"refresh_token":"${liveRefresh}"}]`),
  ],
  [
    'text/plain holding the live token',
    401,
    'missing_credentials',
    () =>
      post('/auth/refresh').set('Content-Type', 'text/plain').send(`refresh_token=${liveRefresh}`),
  ],
  [
    'truncated JSON',
    400,
    'invalid_request',
    () => json('/auth/refresh', '{"refresh_token":'),
    BODY,
  ],
  [
    'over 16 kB',
    413,
    'payload_too_large',
    () => refreshWith({ refresh_token: 'a'.repeat(17 * 1024) }),
    BODY,
  ],
]);

const form = (text: string) =>
  post('/auth/token').set('Content-Type', 'application/x-www-form-urlencoded').send(text);

refusedAll('POST /auth/token (OAuth2 form)', [
  [
    '__proto__[polluted] with a wrong password',
    401,
    'invalid_credentials',
    () => form(`__proto__[polluted]=yes&username=${ALICE}&password=wrong-password`),
  ],
  [
    'constructor[prototype][polluted]',
    401,
    'invalid_credentials',
    () => form(`constructor[prototype][polluted]=yes&username=${ALICE}&password=wrong-password`),
  ],
  [
    'username twice (an array)',
    400,
    'invalid_request',
    () => form(`username=${ALICE}&username=x&password=${PASSWORDS.alice}`),
  ],
  [
    'username[] bracket syntax',
    400,
    'invalid_request',
    () => form(`username[]=${ALICE}&password=${PASSWORDS.alice}`),
  ],
  [
    '25 parameters',
    413,
    'payload_too_large',
    () => form(Array.from({ length: 25 }, (_, i) => `p${i}=1`).join('&')),
    BODY,
  ],
  [
    'grant_type client_credentials',
    400,
    'invalid_request',
    () => form(`grant_type=client_credentials&username=${ALICE}&password=${PASSWORDS.alice}`),
  ],
  [
    'JSON instead of a form',
    400,
    'invalid_request',
    () => post('/auth/token').send({ username: ALICE, password: PASSWORDS.alice }),
  ],
]);

describe('controls', () => {
  it('valid JSON login, valid body refresh → 200; no pollution anywhere', async () => {
    expectAccepted(tally, await login({ email: ALICE, password: PASSWORDS.alice }));
    const pair = await t.auth.tokens.createTokenPair(t.users.alice.id);
    expectAccepted(tally, await refreshWith({ refresh_token: pair.refreshToken }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });
});

// Last in the file: each app built here takes over the library's runtime from the SQLite one.
describeEngines(
  'POST /auth/login: a NUL byte never reaches the database',
  (engine) => {
    let other: TestApp;
    beforeAll(async () => {
      other = await buildTestApp(engine);
    });
    afterAll(() => other.close());

    // PostgreSQL refuses NUL in text: the user lookup used to fail, answering 503.
    it.each([
      ['email', { email: `${ALICE}\u0000`, password: PASSWORDS.alice }],
      ['username', { username: 'a\u0000b', password: 'x-password' }],
    ])('%s with a NUL byte → 400 invalid_request', async (_name, body) => {
      const res = await request(other.app).post('/auth/login').send(body);
      expectRefused(tally, res, 400, 'invalid_request', { secrets: [PASSWORDS.alice] });
    });
  },
  ['postgres', 'mariadb'],
);
