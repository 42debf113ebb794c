import type { Server } from 'node:http';
import request from 'supertest';
import { describe, it } from 'vitest';
import { csrfTokenFor } from '../../src/http/csrf';
import type { TestApp } from '../support/app';
import {
  expectAccepted,
  expectRefused,
  rawRequest,
  securityTally,
  useSecurityApp,
} from '../support/http';

const tally = securityTally('cookies');
let CSRF: string;
let t: TestApp;
let server: Server;
let live: string;
let liveRefresh: string;
useSecurityApp((app) => ({ t, server, live, liveRefresh, csrf: CSRF } = app));

const me = (cookie: string, path = '/t/me') => request(server).get(path).set('Cookie', cookie);

type Row = [string, number, string, () => string];

describe('access_token cookie shapes on GET /t/me', () => {
  const rows: Row[] = [
    ['j: object', 401, 'invalid_token', () => 'access_token=j:{"a":1}'],
    ['j: array', 401, 'invalid_token', () => 'access_token=j:["a"]'],
    ['j: string', 401, 'invalid_token', () => 'access_token=j:"abc"'],
    [
      'j: JSON string holding the live token',
      401,
      'invalid_token',
      () => `access_token=j:${JSON.stringify(live)}`,
    ],
    [
      'j: object, percent-encoded',
      401,
      'invalid_token',
      () => `access_token=${encodeURIComponent('j:{"token":"x"}')}`,
    ],
    ['j:null', 401, 'invalid_token', () => 'access_token=j:null'],
    ['s: + the live token', 401, 'invalid_token', () => `access_token=s:${live}`],
    [
      's: + live token + fake signature',
      401,
      'invalid_token',
      () => `access_token=s:${live}.c2lnbmF0dXJl`,
    ],
    ['s: percent-encoded', 401, 'invalid_token', () => `access_token=s%3A${live}`],
    ['truncated percent-encoding', 401, 'invalid_token', () => 'access_token=%E0%A4%A'],
    [
      'invalid percent escape before the live token',
      401,
      'invalid_token',
      () => `access_token=%zz${live}`,
    ],
    ['a lone "%"', 401, 'invalid_token', () => 'access_token=%'],
    [
      'percent-encoded NUL after the live token',
      401,
      'invalid_token',
      () => `access_token=${live}%00`,
    ],
    [
      'same name twice, both live',
      400,
      'invalid_request',
      () => `access_token=${live}; access_token=${live}`,
    ],
    [
      'same name twice, live then garbage',
      400,
      'invalid_request',
      () => `access_token=${live}; access_token=garbage`,
    ],
    [
      'same name twice, garbage then live',
      400,
      'invalid_request',
      () => `access_token=garbage; access_token=${live}`,
    ],
    ['only a differently-cased name', 401, 'missing_credentials', () => `Access_Token=${live}`],
    [
      'garbage under our name, live under an upper-case name',
      401,
      'invalid_token',
      () => `access_token=garbage; ACCESS_TOKEN=${live}`,
    ],
    ['empty value', 401, 'invalid_token', () => 'access_token='],
    ['empty quoted value', 401, 'invalid_token', () => 'access_token=""'],
    ['a lone double quote', 401, 'invalid_token', () => 'access_token="'],
    ['quoted garbage', 401, 'invalid_token', () => 'access_token="garbage"'],
    ['10k token68 characters', 401, 'invalid_token', () => `access_token=${'a'.repeat(10_000)}`],
    ['10k of braces', 401, 'invalid_token', () => `access_token=${'{'.repeat(10_000)}`],
    ['two tokens, comma-joined', 401, 'invalid_token', () => `access_token=${live},${live}`],
    ['a space inside the value', 401, 'invalid_token', () => 'access_token=abc def'],
    [
      'a refresh token in the access cookie',
      401,
      'wrong_token_type',
      () => `access_token=${liveRefresh}`,
    ],
    ['an empty Cookie header', 401, 'missing_credentials', () => ''],
    [
      'separators and nameless pairs only',
      401,
      'missing_credentials',
      () => '; ; =; =x; access_token',
    ],
  ];

  it.each(rows)('%s → %i %s', async (_name, status, code, cookie) => {
    const value = cookie();
    expectRefused(tally, await me(value), status, code, { secrets: [live, liveRefresh] });
  });

  it('j: object on an optional-user route → 401 invalid_token (a bad token is never "no token")', async () => {
    expectRefused(tally, await me('access_token=j:{"a":1}', '/t/optional'), 401, 'invalid_token');
  });

  it('cookie and Bearer header at once → 400 invalid_request', async () => {
    const res = await me(`access_token=${live}`).set('Authorization', `Bearer ${live}`);
    expectRefused(tally, res, 400, 'invalid_request', { secrets: [live] });
  });

  it('raw UTF-8 bytes in the cookie → 401 invalid_token', async () => {
    const res = await rawRequest(
      server,
      Buffer.concat([
        Buffer.from('GET /t/me HTTP/1.1\r\nCookie: access_token='),
        Buffer.from('t\u00f6k\u00e9n\u{1f36a}', 'utf8'),
      ]),
    );
    expectRefused(tally, res, 401, 'invalid_token');
  });

  it('controls: quoted live token, live token beside an upper-case decoy → 200', async () => {
    expectAccepted(tally, await me(`access_token="${live}"`));
    expectAccepted(tally, await me(`ACCESS_TOKEN=garbage; access_token=${live}`));
  });
});

describe('refresh_token cookie on POST /auth/cookie/refresh', () => {
  const refresh = (cookie: string, csrf: string | null = CSRF) => {
    const req = request(server).post('/auth/cookie/refresh').set('Cookie', cookie);
    return csrf === null ? req : req.set('X-CSRF-Token', csrf);
  };
  const rows: [string, number, string, () => request.Test][] = [
    [
      'j: object, with CSRF',
      401,
      'invalid_token',
      () => refresh(`refresh_token=j:{"a":1}; csrf_token=${CSRF}`),
    ],
    [
      's: + the live refresh token, with CSRF',
      401,
      'invalid_token',
      () => refresh(`refresh_token=s:${liveRefresh}; csrf_token=${CSRF}`),
    ],
    [
      'live refresh token, no CSRF header',
      403,
      'csrf_failed',
      () => refresh(`refresh_token=${liveRefresh}; csrf_token=${CSRF}`, null),
    ],
    [
      'live refresh token, j: CSRF cookie and no header',
      403,
      'csrf_failed',
      () => refresh(`refresh_token=${liveRefresh}; csrf_token=j:{"a":1}`, null),
    ],
    [
      'refresh cookie sent twice',
      400,
      'invalid_request',
      () =>
        refresh(`refresh_token=${liveRefresh}; refresh_token=${liveRefresh}; csrf_token=${CSRF}`),
    ],
    [
      'an access token in the refresh cookie',
      401,
      'wrong_token_type',
      () => refresh(`refresh_token=${live}; csrf_token=${CSRF}`),
    ],
    [
      'refresh cookie and JSON body at once',
      400,
      'invalid_request',
      () =>
        refresh(`refresh_token=${liveRefresh}; csrf_token=${CSRF}`).send({
          refresh_token: liveRefresh,
        }),
    ],
  ];

  it.each(rows)('%s → %i %s', async (_name, status, code, send) => {
    expectRefused(tally, await send(), status, code, { secrets: [live, liveRefresh] });
  });

  it('control: a fresh refresh cookie with a matching CSRF header → 200', async () => {
    const pair = await t.auth.tokens.createTokenPair(t.users.alice.id);
    const csrf = csrfTokenFor(pair.sessionId, t.auth.config);
    expectAccepted(
      tally,
      await refresh(`refresh_token=${pair.refreshToken}; csrf_token=${csrf}`, csrf),
    );
  });

  it("another session's CSRF token (cookie and header agreeing) → 403 csrf_failed", async () => {
    const pair = await t.auth.tokens.createTokenPair(t.users.alice.id);
    const res = await refresh(`refresh_token=${pair.refreshToken}; csrf_token=${CSRF}`, CSRF);
    expectRefused(tally, res, 403, 'csrf_failed', { secrets: [pair.refreshToken] });
  });
});
