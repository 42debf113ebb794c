import type { Server } from 'node:http';
import request from 'supertest';
import { beforeAll, describe, it } from 'vitest';
import {
  expectAccepted,
  expectNodeRefused,
  expectRefused,
  rawRequest,
  securityTally,
  useSecurityApp,
  withHeaders,
  type Reply,
} from '../support/http';

const tally = securityTally('headers');
let server: Server;
let live: string;
let liveRefresh: string;
let sessionCsrf: string;
useSecurityApp((app) => ({ server, live, liveRefresh, csrf: sessionCsrf } = app));

const me = (authorization?: string) =>
  withHeaders(request(server).get('/t/me'), { Authorization: authorization });

/** Raw request to GET /t/me with the given extra header lines. */
const rawMe = (...lines: (string | Buffer)[]): Promise<Reply> =>
  rawRequest(
    server,
    Buffer.concat([
      Buffer.from('GET /t/me HTTP/1.1', 'latin1'),
      ...lines.flatMap((line) => [
        Buffer.from('\r\n'),
        typeof line === 'string' ? Buffer.from(line, 'latin1') : line,
      ]),
    ]),
  );

describe('Authorization header shapes on GET /t/me', () => {
  // Each row: a header value (built lazily: it may embed the live token), status, code.
  const cases: [string, number, string, () => string][] = [
    ['empty', 400, 'invalid_request', () => ''],
    ['whitespace only', 400, 'invalid_request', () => '   \t  '],
    ['"Bearer" alone', 400, 'invalid_request', () => 'Bearer'],
    ['"Bearer " + spaces only', 400, 'invalid_request', () => 'Bearer     '],
    ['two tokens', 400, 'invalid_request', () => `Bearer ${live} ${live}`],
    ['two tokens, comma-separated', 400, 'invalid_request', () => `Bearer ${live}, ${live}`],
    ['a tab as the separator', 400, 'invalid_request', () => `Bearer\t${live}`],
    ['a space then a tab', 400, 'invalid_request', () => `Bearer \t${live}`],
    ['a trailing "!"', 400, 'invalid_request', () => `Bearer ${live}!`],
    ['a double quote inside', 400, 'invalid_request', () => 'Bearer ab"cd'],
    ['angle brackets', 400, 'invalid_request', () => 'Bearer <script>'],
    ['a trailing ";"', 400, 'invalid_request', () => `Bearer ${live};`],
    ['"=" before the end', 400, 'invalid_request', () => 'Bearer ab=cd'],
    ['a quoted token', 400, 'invalid_request', () => `Bearer "${live}"`],
    ['an auth-param instead of token68', 400, 'invalid_request', () => `Bearer token="${live}"`],
    ['a latin-1 letter', 400, 'invalid_request', () => 'Bearer t\u00ebst'],
    ['10k token68 characters', 401, 'invalid_token', () => `Bearer ${'a'.repeat(10_000)}`],
    ['10k characters, one invalid', 400, 'invalid_request', () => `Bearer ${'a'.repeat(9_999)}!`],
    ['lowercase scheme, garbage token', 401, 'invalid_token', () => 'bearer garbage'],
    ['uppercase scheme, garbage token', 401, 'invalid_token', () => 'BEARER garbage'],
    ['Bearer,Bearer', 400, 'invalid_request', () => 'Bearer,Bearer'],
    ['Bearer,Bearer then a token', 400, 'invalid_request', () => `Bearer,Bearer ${live}`],
    ['Bearer=token', 400, 'invalid_request', () => `Bearer=${live}`],
    [
      'Basic with alice credentials',
      401,
      'missing_credentials',
      () => 'Basic YWxpY2VAZXhhbXBsZS5jb206YWxpY2UtcGFzc3dvcmQtMQ==',
    ],
    ['Basic carrying a live JWT', 401, 'missing_credentials', () => `Basic ${live}`],
    [
      'Digest',
      401,
      'missing_credentials',
      () => 'Digest username="alice", realm="r", nonce="n", uri="/t/me", response="0"',
    ],
    ['another scheme with a live JWT', 401, 'missing_credentials', () => `Token ${live}`],
    ['no space after Bearer', 401, 'missing_credentials', () => `Bearer${live}`],
    ['a refresh token as Bearer', 401, 'wrong_token_type', () => `Bearer ${liveRefresh}`],
  ];

  it.each(cases)('%s → %i %s', async (_name, status, code, header) => {
    const value = header();
    expectRefused(tally, await me(value), status, code, { secrets: [value, live] });
  });

  it.each([
    ['lowercase', 'bearer'],
    ['uppercase', 'BEARER'],
    ['mixed case', 'bEaReR'],
  ])('%s scheme with a live token is accepted (RFC 6750: case-insensitive)', async (_n, scheme) => {
    expectAccepted(tally, await me(`${scheme} ${live}`));
  });

  it('several spaces between scheme and token are accepted (1*SP)', async () => {
    expectAccepted(tally, await me(`Bearer    ${live}`));
  });
});

describe('Authorization headers sent byte for byte', () => {
  it.each([
    ['live then garbage', () => [`Bearer ${live}`, 'Bearer garbage']],
    ['garbage then live', () => ['Bearer garbage', `Bearer ${live}`]],
    ['live twice', () => [`Bearer ${live}`, `Bearer ${live}`]],
    ['Basic then live', () => ['Basic YWxpY2U6cHc=', `Bearer ${live}`]],
  ])('two Authorization headers (%s) → 400 invalid_request', async (_n, values) => {
    const res = await rawMe(...values().map((value) => `Authorization: ${value}`));
    expectRefused(tally, res, 400, 'invalid_request', { secrets: [live] });
  });

  it('raw UTF-8 in the token → 400 invalid_request', async () => {
    const header = Buffer.concat([
      Buffer.from('Authorization: Bearer '),
      Buffer.from('t\u00f6k\u00e9n\u20ac\u{1f600}', 'utf8'),
    ]);
    expectRefused(tally, await rawMe(header), 400, 'invalid_request');
  });

  it('raw UTF-8 in the scheme → 400 invalid_request', async () => {
    const header = Buffer.concat([
      Buffer.from('Authorization: B', 'latin1'),
      Buffer.from('\u00eb', 'utf8'),
      Buffer.from(`arer ${live}`, 'latin1'),
    ]);
    expectRefused(tally, await rawMe(header), 400, 'invalid_request', { secrets: [live] });
  });

  // Node refuses these before Express runs: no coded body exists, only a bare status.
  it('a header over Node’s 16 KB limit → 431 from Node, nothing reaches the app', async () => {
    const res = await rawMe(`Authorization: Bearer ${'a'.repeat(20_000)}`);
    expectNodeRefused(tally, res, 431);
  });

  it('a NUL byte in the header → 400 from Node’s parser, nothing reaches the app', async () => {
    const res = await rawMe(`Authorization: Bearer ab\0cd`);
    expectNodeRefused(tally, res, 400);
  });
});

describe('tokens in the query string are never read', () => {
  it.each([
    ['access_token', () => `/t/me?access_token=${live}`],
    [
      'token + Authorization + bearer',
      () => `/t/me?token=${live}&Authorization=Bearer%20${live}&bearer=${live}`,
    ],
  ])('GET with %s in the query → 401 missing_credentials', async (_n, path) => {
    const res = await request(server).get(path());
    expectRefused(tally, res, 401, 'missing_credentials', { secrets: [live] });
  });

  it('POST /t/write?access_token=… → 401 missing_credentials', async () => {
    const res = await request(server).post(`/t/write?access_token=${live}`);
    expectRefused(tally, res, 401, 'missing_credentials', { secrets: [live] });
  });

  it('POST /auth/refresh?refresh_token=… → 401 missing_credentials', async () => {
    const res = await request(server).post(`/auth/refresh?refresh_token=${liveRefresh}`);
    expectRefused(tally, res, 401, 'missing_credentials', { secrets: [liveRefresh] });
  });
});

describe('X-CSRF-Token tricks on a cookie-authenticated POST /t/write', () => {
  let CSRF = '';
  beforeAll(() => {
    CSRF = sessionCsrf;
  });
  const write = (cookie: string, headers: Record<string, string> = {}) =>
    request(server).post('/t/write').set('Cookie', cookie).set(headers);
  const cookies = (csrf: string | null = CSRF) =>
    `access_token=${live}${csrf === null ? '' : `; csrf_token=${csrf}`}`;

  const cases: [string, number, string, () => request.Test][] = [
    ['no X-CSRF-Token header', 403, 'csrf_failed', () => write(cookies())],
    [
      'header but no CSRF cookie',
      403,
      'csrf_failed',
      () => write(cookies(null), { 'X-CSRF-Token': CSRF }),
    ],
    [
      'empty cookie and empty header',
      403,
      'csrf_failed',
      () => write(cookies(''), { 'X-CSRF-Token': '' }),
    ],
    [
      'header in another case',
      403,
      'csrf_failed',
      () => write(cookies(), { 'X-CSRF-Token': CSRF.toLowerCase() }),
    ],
    [
      'header with one extra character',
      403,
      'csrf_failed',
      () => write(cookies(), { 'X-CSRF-Token': `${CSRF}x` }),
    ],
    [
      'header one character short',
      403,
      'csrf_failed',
      () => write(cookies(), { 'X-CSRF-Token': CSRF.slice(0, -1) }),
    ],
    [
      'header = the access token',
      403,
      'csrf_failed',
      () => write(cookies(), { 'X-CSRF-Token': live }),
    ],
    [
      'CSRF cookie sent twice',
      400,
      'invalid_request',
      () => write(`${cookies()}; csrf_token=${CSRF}`, { 'X-CSRF-Token': CSRF }),
    ],
    [
      'Sec-Fetch-Site: cross-site, matching token',
      403,
      'csrf_failed',
      () => write(cookies(), { 'X-CSRF-Token': CSRF, 'Sec-Fetch-Site': 'cross-site' }),
    ],
    [
      'foreign Origin, matching token',
      403,
      'csrf_failed',
      () => write(cookies(), { 'X-CSRF-Token': CSRF, Origin: 'https://evil.example' }),
    ],
    [
      'Origin: null, matching token',
      403,
      'csrf_failed',
      () => write(cookies(), { 'X-CSRF-Token': CSRF, Origin: 'null' }),
    ],
    [
      'Origin extending our host, matching token',
      403,
      'csrf_failed',
      () =>
        write(cookies(), {
          'X-CSRF-Token': CSRF,
          Origin: `http://127.0.0.1:${port()}.evil.example`,
        }),
    ],
    [
      'X-HTTP-Method-Override: GET, no token',
      403,
      'csrf_failed',
      () => write(cookies(), { 'X-HTTP-Method-Override': 'GET' }),
    ],
    [
      'token only in the query string',
      403,
      'csrf_failed',
      () =>
        request(server)
          .post(`/t/write?csrf_token=${CSRF}&x-csrf-token=${CSRF}`)
          .set('Cookie', cookies()),
    ],
  ];

  it.each(cases)('%s → %i %s', async (_n, status, code, send) => {
    expectRefused(tally, await send(), status, code, { secrets: [live] });
  });

  it('two X-CSRF-Token headers, both matching → 403 csrf_failed (Node joins them)', async () => {
    const res = await rawRequest(
      server,
      [
        'POST /t/write HTTP/1.1',
        `Cookie: ${cookies()}`,
        `X-CSRF-Token: ${CSRF}`,
        `X-CSRF-Token: ${CSRF}`,
        'Content-Length: 0',
      ].join('\r\n'),
    );
    expectRefused(tally, res, 403, 'csrf_failed', { secrets: [live] });
  });

  it('controls: matching token → 200; GET needs none; a Bearer request ignores a bogus one', async () => {
    expectAccepted(tally, await write(cookies(), { 'X-CSRF-Token': CSRF }));
    expectAccepted(tally, await request(server).get('/t/me').set('Cookie', cookies(null)));
    expectAccepted(
      tally,
      await request(server)
        .post('/t/write')
        .set('Authorization', `Bearer ${live}`)
        .set('X-CSRF-Token', 'bogus'),
    );
  });
});

function port(): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}
