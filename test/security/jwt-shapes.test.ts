import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app';
import { TEST_SECRET } from '../support/clock';
import { b64url, claimsOf, forge, forgeRaw, signEs256, signRsa } from '../support/forge';
import {
  close,
  expectAccepted,
  expectRefused,
  listen,
  me,
  refreshByBearer,
  securityTally,
} from '../support/http';

const tally = securityTally('jwt-shapes');
const HS256 = { alg: 'HS256', typ: 'JWT' };
const ATTACKER_SECRET = 'attacker-secret-0123456789abcdef-0123456789abcdef';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

let t: TestApp;
let server: Server;
/** Claims of alice's live access token; the other sets are for cross-binding cases. */
let alice: Record<string, unknown>;
let aliceRefresh: Record<string, unknown>;
let aliceOther: Record<string, unknown>;
let admin: Record<string, unknown>;
let live: string;
let now: number;

beforeAll(async () => {
  t = await buildTestApp();
  server = await listen(t.app);
  const pair = await t.auth.tokens.createTokenPair(t.users.alice.id);
  live = pair.accessToken;
  alice = claimsOf(pair.accessToken).payload;
  aliceRefresh = claimsOf(pair.refreshToken).payload;
  aliceOther = claimsOf(
    (await t.auth.tokens.createTokenPair(t.users.alice.id)).accessToken,
  ).payload;
  admin = claimsOf((await t.auth.tokens.createTokenPair(t.users.admin.id)).accessToken).payload;
  now = Math.floor(t.clock.now() / 1000);
});
afterAll(async () => {
  await close(server);
  await t.close();
});

/** Alice's live access claims, changed: a key set to `undefined` is removed. */
function claims(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({ ...alice, ...changes }).filter(([, value]) => value !== undefined),
  );
}

/** Re-signed with the real test secret (HS256 unless the header says otherwise). */
const real = (payload: unknown, header: Record<string, unknown> = HS256): string =>
  forge(header, payload, { hmac: TEST_SECRET });

type Row = [string, number, string, () => string];

function refusedAll(title: string, rows: Row[]): void {
  describe(title, () => {
    it.each(rows)('%s → %i %s', async (_name, status, code, token) => {
      const value = token();
      expectRefused(tally, await me(server, value), status, code, { secrets: [value] });
    });
  });
}

const NONE_SPELLINGS = ['none', 'None', 'NONE', 'nOnE'];
refusedAll('alg none and its spellings', [
  ...NONE_SPELLINGS.map((alg): Row => [
    `alg ${alg}, no signature`,
    401,
    'invalid_token',
    () => forge({ alg, typ: 'JWT' }, claims()),
  ]),
  ...NONE_SPELLINGS.map((alg): Row => [
    `alg ${alg}, real HMAC signature`,
    401,
    'invalid_token',
    () => real(claims(), { alg, typ: 'JWT' }),
  ]),
  ['no alg at all, real HMAC', 401, 'invalid_token', () => real(claims(), { typ: 'JWT' })],
  [
    'alg "hs256" (lowercase), real HMAC',
    401,
    'invalid_token',
    () => real(claims(), { alg: 'hs256' }),
  ],
  [
    'alg ["HS256"] (array), real HMAC',
    401,
    'invalid_token',
    () => real(claims(), { alg: ['HS256'] }),
  ],
]);

refusedAll('other algorithms', [
  [
    'HS384 with the real secret',
    401,
    'invalid_token',
    () => forge({ alg: 'HS384' }, claims(), { hmac: TEST_SECRET, hash: 'sha384' }),
  ],
  [
    'HS512 with the real secret',
    401,
    'invalid_token',
    () => forge({ alg: 'HS512' }, claims(), { hmac: TEST_SECRET, hash: 'sha512' }),
  ],
  [
    'RS256 header, HMAC with the real secret (alg confusion)',
    401,
    'invalid_token',
    () => real(claims(), { alg: 'RS256' }),
  ],
  [
    'RS256 signed by an attacker key',
    401,
    'invalid_token',
    () => signRsa({ alg: 'RS256' }, claims(), rsa.privateKey),
  ],
  [
    'ES256 signed by an attacker key',
    401,
    'invalid_token',
    () => signEs256({ alg: 'ES256' }, claims(), ec.privateKey),
  ],
  [
    'PS256 signed by an attacker key',
    401,
    'invalid_token',
    () => signRsa({ alg: 'PS256' }, claims(), rsa.privateKey, 'PS256'),
  ],
  [
    'RS256 with the attacker key embedded as jwk',
    401,
    'invalid_token',
    () =>
      signRsa(
        { alg: 'RS256', jwk: rsa.publicKey.export({ format: 'jwk' }) },
        claims(),
        rsa.privateKey,
      ),
  ],
  [
    'HS256 with an attacker oct jwk',
    401,
    'invalid_token',
    () =>
      forge({ alg: 'HS256', jwk: { kty: 'oct', k: b64url(ATTACKER_SECRET) } }, claims(), {
        hmac: ATTACKER_SECRET,
      }),
  ],
  [
    'HS256 with jku/x5u pointing away, attacker secret',
    401,
    'invalid_token',
    () =>
      forge(
        { alg: 'HS256', jku: 'https://evil.example/jwks', x5u: 'https://evil.example/x5' },
        claims(),
        { hmac: ATTACKER_SECRET },
      ),
  ],
  [
    'RS256 with an x5c chain, attacker key',
    401,
    'invalid_token',
    () =>
      signRsa(
        {
          alg: 'RS256',
          x5c: [rsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')],
        },
        claims(),
        rsa.privateKey,
      ),
  ],
  [
    'HS256 with the wrong secret',
    401,
    'invalid_token',
    () => forge(HS256, claims(), { hmac: ATTACKER_SECRET }),
  ],
  [
    'HS256 with the real secret plus one byte',
    401,
    'invalid_token',
    () => forge(HS256, claims(), { hmac: `${TEST_SECRET}x` }),
  ],
  ['HS256 with an empty secret', 401, 'invalid_token', () => forge(HS256, claims(), { hmac: '' })],
]);

refusedAll('claims re-signed with the real secret', [
  ['exp missing', 401, 'invalid_token', () => real(claims({ exp: undefined }))],
  ['exp in the past', 401, 'token_expired', () => real(claims({ exp: now - 3600 }))],
  ['exp a string', 401, 'invalid_token', () => real(claims({ exp: String(now + 600) }))],
  ['exp a float string', 401, 'invalid_token', () => real(claims({ exp: `${now + 600}.5` }))],
  ['exp null', 401, 'invalid_token', () => real(claims({ exp: null }))],
  ['nbf in the future', 401, 'invalid_token', () => real(claims({ nbf: now + 3600 }))],
  ['nbf a string', 401, 'invalid_token', () => real(claims({ nbf: String(now - 10) }))],
  ['iat missing', 401, 'invalid_token', () => real(claims({ iat: undefined }))],
  ['iat a string', 401, 'invalid_token', () => real(claims({ iat: String(now) }))],
  ['wrong iss', 401, 'invalid_token', () => real(claims({ iss: 'https://evil.example' }))],
  ['iss missing', 401, 'invalid_token', () => real(claims({ iss: undefined }))],
  ['iss an array holding ours', 401, 'invalid_token', () => real(claims({ iss: [alice.iss] }))],
  ['wrong aud', 401, 'invalid_token', () => real(claims({ aud: 'someone-else' }))],
  ['aud an array without ours', 401, 'invalid_token', () => real(claims({ aud: ['a', 'b'] }))],
  ['aud missing', 401, 'invalid_token', () => real(claims({ aud: undefined }))],
  ['unknown jti', 401, 'invalid_token', () => real(claims({ jti: randomUUID() }))],
  [
    'jti of another user’s live token',
    401,
    'invalid_token',
    () => real(claims({ jti: admin.jti })),
  ],
  [
    'jti of own refresh token, type access',
    401,
    'invalid_token',
    () => real(claims({ jti: aliceRefresh.jti })),
  ],
  [
    'sid of another live session',
    401,
    'invalid_token',
    () => real(claims({ sid: aliceOther.sid })),
  ],
  ['sub of another user', 401, 'invalid_token', () => real(claims({ sub: admin.sub }))],
  ['sub a number', 401, 'invalid_token', () => real(claims({ sub: t.users.alice.id }))],
  ['sub empty', 401, 'invalid_token', () => real(claims({ sub: '' }))],
  ['jti SQL text', 401, 'invalid_token', () => real(claims({ jti: "x' OR '1'='1' --" }))],
  ['jti 300 characters', 401, 'invalid_token', () => real(claims({ jti: 'j'.repeat(300) }))],
  ['jti "__proto__"', 401, 'invalid_token', () => real(claims({ jti: '__proto__' }))],
  ['type flipped to refresh', 401, 'wrong_token_type', () => real(claims({ type: 'refresh' }))],
  ['type missing', 401, 'invalid_token', () => real(claims({ type: undefined }))],
  ['type "Access"', 401, 'invalid_token', () => real(claims({ type: 'Access' }))],
  ['type ["access"]', 401, 'invalid_token', () => real(claims({ type: ['access'] }))],
  [
    'duplicate type keys, the last one "Access"',
    401,
    'invalid_token',
    () =>
      forgeRaw(JSON.stringify(HS256), JSON.stringify(claims()).replace(/}$/, ',"type":"Access"}'), {
        hmac: TEST_SECRET,
      }),
  ],
  [
    'type only on a "__proto__" member',
    401,
    'invalid_token',
    () =>
      forgeRaw(
        JSON.stringify(HS256),
        JSON.stringify({ ...claims({ type: undefined }), ['__proto__']: { type: 'access' } }),
        { hmac: TEST_SECRET },
      ),
  ],
  [
    'exp only on a "__proto__" member',
    401,
    'invalid_token',
    () =>
      forgeRaw(
        JSON.stringify(HS256),
        `{"__proto__":{"exp":${now + 600}},${JSON.stringify(claims({ exp: undefined })).slice(1)}`,
        { hmac: TEST_SECRET },
      ),
  ],
]);

refusedAll('crit and kid headers', [
  ['crit: [] (empty)', 401, 'invalid_token', () => real(claims(), { ...HS256, crit: [] })],
  ['crit: ["exp"]', 401, 'invalid_token', () => real(claims(), { ...HS256, crit: ['exp'] })],
  [
    'crit: ["b64"] with b64: false',
    401,
    'invalid_token',
    () => real(claims(), { ...HS256, crit: ['b64'], b64: false }),
  ],
  [
    'kid path traversal, attacker secret',
    401,
    'invalid_token',
    () => forge({ ...HS256, kid: '../../../../dev/null' }, claims(), { hmac: ATTACKER_SECRET }),
  ],
  [
    'kid "__proto__", attacker secret',
    401,
    'invalid_token',
    () => forge({ ...HS256, kid: '__proto__' }, claims(), { hmac: ATTACKER_SECRET }),
  ],
  [
    'kid SQL text, attacker secret',
    401,
    'invalid_token',
    () => forge({ ...HS256, kid: "' UNION SELECT 'k' --" }, claims(), { hmac: ATTACKER_SECRET }),
  ],
  [
    'kid path traversal + empty secret',
    401,
    'invalid_token',
    () => forge({ ...HS256, kid: '../../../../dev/null' }, claims(), { hmac: '' }),
  ],
  [
    'kid path traversal, real secret, unknown jti',
    401,
    'invalid_token',
    () => real(claims({ jti: randomUUID() }), { ...HS256, kid: '../../etc/passwd' }),
  ],
  [
    'kid of 9000 characters (token over the size cap)',
    401,
    'invalid_token',
    () => real(claims(), { ...HS256, kid: 'k'.repeat(9000) }),
  ],
]);

refusedAll('segments that are not JSON objects', [
  [
    'header not JSON',
    401,
    'invalid_token',
    () => forgeRaw('not json', JSON.stringify(claims()), { hmac: TEST_SECRET }),
  ],
  [
    'header a JSON array',
    401,
    'invalid_token',
    () => forgeRaw('["HS256"]', JSON.stringify(claims()), { hmac: TEST_SECRET }),
  ],
  [
    'header a JSON string',
    401,
    'invalid_token',
    () => forgeRaw('"HS256"', JSON.stringify(claims()), { hmac: TEST_SECRET }),
  ],
  [
    'header JSON null',
    401,
    'invalid_token',
    () => forgeRaw('null', JSON.stringify(claims()), { hmac: TEST_SECRET }),
  ],
  [
    'payload not JSON',
    401,
    'invalid_token',
    () => forgeRaw(JSON.stringify(HS256), 'sub=1&type=access', { hmac: TEST_SECRET }),
  ],
  [
    'payload a JSON array',
    401,
    'invalid_token',
    () => forgeRaw(JSON.stringify(HS256), JSON.stringify([claims()]), { hmac: TEST_SECRET }),
  ],
  [
    'payload a JSON string',
    401,
    'invalid_token',
    () =>
      forgeRaw(JSON.stringify(HS256), JSON.stringify(JSON.stringify(claims())), {
        hmac: TEST_SECRET,
      }),
  ],
  [
    'payload a JSON number',
    401,
    'invalid_token',
    () => forgeRaw(JSON.stringify(HS256), String(now + 600), { hmac: TEST_SECRET }),
  ],
  [
    'payload JSON true',
    401,
    'invalid_token',
    () => forgeRaw(JSON.stringify(HS256), 'true', { hmac: TEST_SECRET }),
  ],
  [
    'payload JSON null',
    401,
    'invalid_token',
    () => forgeRaw(JSON.stringify(HS256), 'null', { hmac: TEST_SECRET }),
  ],
  [
    'payload bytes that are not UTF-8',
    401,
    'invalid_token',
    () =>
      forgeRaw(JSON.stringify(HS256), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { hmac: TEST_SECRET }),
  ],
]);

refusedAll('encodings, dots and empty segments', [
  ['signature with base64 "=" padding', 401, 'invalid_token', () => `${live}=`],
  [
    'signature in standard base64 (+ and /)',
    401,
    'invalid_token',
    () =>
      `${live.slice(0, live.lastIndexOf('.') + 1)}${Buffer.from(
        live.slice(live.lastIndexOf('.') + 1),
        'base64url',
      )
        .toString('base64')
        .replace(/=+$/, '')}+/`,
  ],
  [
    'header segment padded with "=" (not a b64token)',
    400,
    'invalid_request',
    () => `${live.split('.')[0] ?? ''}==.${live.split('.').slice(1).join('.')}`,
  ],
  ['a trailing dot', 401, 'invalid_token', () => `${live}.`],
  ['a fourth segment', 401, 'invalid_token', () => `${live}.AAAA`],
  ['five segments (JWE-shaped)', 401, 'invalid_token', () => `${live}.AAAA.BBBB`],
  ['two segments', 401, 'invalid_token', () => live.slice(0, live.lastIndexOf('.'))],
  ['signature removed', 401, 'invalid_token', () => live.slice(0, live.lastIndexOf('.') + 1)],
  ['one signature character changed', 401, 'invalid_token', () => flipMiddle(live)],
  ['empty header segment', 401, 'invalid_token', () => live.slice(live.indexOf('.'))],
  [
    'empty payload segment',
    401,
    'invalid_token',
    () => `${live.split('.')[0] ?? ''}..${live.split('.')[2] ?? ''}`,
  ],
  ['only dots: ".."', 401, 'invalid_token', () => '..'],
  ['only dots: "."', 401, 'invalid_token', () => '.'],
  ['a..c', 401, 'invalid_token', () => 'a..c'],
]);

function flipMiddle(token: string): string {
  const at = token.lastIndexOf('.') + 10;
  const c = token[at] === 'A' ? 'B' : 'A';
  return `${token.slice(0, at)}${c}${token.slice(at + 1)}`;
}

describe('refresh route: an access token re-typed as refresh', () => {
  it('POST /auth/refresh with alice’s access claims, type refresh → 401 invalid_token', async () => {
    const token = real(claims({ type: 'refresh' }));
    const res = await refreshByBearer(server, token);
    expectRefused(tally, res, 401, 'invalid_token', { secrets: [token] });
  });
});

describe('controls: MACed with the real secret and otherwise valid → accepted', () => {
  // SECURITY.md 5: `kid` is only looked up in a fixed key map. With HS256 there is one secret and
  // no map, so `kid`, `jku`, `x5u` are ignored: such a token is as good as the same claims without.
  it.each([
    ['the live claims, re-signed as is', {}],
    ['kid with path traversal', { kid: '../../../../etc/passwd' }],
    ['kid "__proto__"', { kid: '__proto__' }],
    ['kid with SQL text', { kid: "' OR '1'='1' --" }],
    ['kid of 3000 characters', { kid: 'k'.repeat(3000) }],
    ['kid an object', { kid: { ['__proto__']: { polluted: true } } }],
    [
      'jku and x5u pointing away',
      { jku: 'https://evil.example/jwks', x5u: 'https://evil.example/x5' },
    ],
  ])('%s → 200', async (_name, extra) => {
    const res = await me(server, real(claims(), { ...HS256, ...extra }));
    expectAccepted(tally, res);
    expect(res.body).toEqual({ id: t.users.alice.id, email: 'alice@example.com' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('duplicate keys: the last member wins in every parser (RFC 7519 §4) → 200 as alice', async () => {
    const payload = JSON.stringify(claims({ type: 'refresh', sub: admin.sub })).replace(
      /}$/,
      `,"type":"access","sub":${JSON.stringify(alice.sub)}}`,
    );
    const res = await me(server, forgeRaw(JSON.stringify(HS256), payload, { hmac: TEST_SECRET }));
    expectAccepted(tally, res);
    expect(res.body).toEqual({ id: t.users.alice.id, email: 'alice@example.com' });
  });
});
