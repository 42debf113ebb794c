import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app';
import { claimsOf } from '../support/forge';
import { close, listen, recordFuzz, securityTally } from '../support/http';

/** Fixed size; a random seed per run unless FC_SEED is set. It is printed below and on failure. */
const RUNS = 300;
const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
const tally = securityTally('fuzz', () => `seed=${SEED} runs/property=${RUNS}`);

let t: TestApp;
let server: Server;
let alice: Record<string, unknown>;

beforeAll(async () => {
  t = await buildTestApp();
  server = await listen(t.app);
  alice = claimsOf((await t.auth.tokens.createTokenPair(t.users.alice.id)).accessToken).payload;
});
afterAll(async () => {
  await close(server);
  await t.close();
});

async function check<T>(arbitrary: fc.Arbitrary<T>, body: (value: T) => Promise<void>) {
  await fc.assert(fc.asyncProperty(arbitrary, body), { numRuns: RUNS, seed: SEED });
}

const ROUTES = fc.constantFrom('/t/me', '/t/admin', '/t/claims', '/auth/sessions');
const get = (path: string, authorization: string) =>
  request(server).get(path).set('Authorization', authorization);

// Characters Node's client lets into a header value: HTAB, visible ASCII and space, obs-text.
const headerChar = fc.oneof(
  fc.constant('\t'),
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
);
const headerText = (maxLength: number) => fc.string({ unit: headerChar, maxLength });
const b64urlBytes = (maxLength: number, minLength = 0) =>
  fc.uint8Array({ minLength, maxLength }).map((bytes) => Buffer.from(bytes).toString('base64url'));
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const HEADER_CODES = ['invalid_request', 'invalid_token', 'missing_credentials'];

describe('property: no Authorization header gets through', () => {
  it(`random header values (${RUNS} runs): never 2xx, never 5xx`, async () => {
    const value = fc
      .tuple(
        fc.constantFrom('', 'Bearer ', 'bearer ', 'BEARER ', 'Bearer  ', 'Basic ', 'Bearer\t'),
        headerText(200),
      )
      .map(([prefix, rest]) => prefix + rest);
    await check(fc.tuple(ROUTES, value), async ([path, header]) => {
      recordFuzz(tally, await get(path, header), HEADER_CODES);
    });
  });

  it(`random token68 strings as Bearer (${RUNS} runs): exactly 401 invalid_token`, async () => {
    const token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,400}=*$/);
    await check(fc.tuple(ROUTES, token), async ([path, value]) => {
      recordFuzz(tally, await get(path, `Bearer ${value}`), ['invalid_token']);
    });
  });

  it(`random JWT-shaped tokens (${RUNS} runs): exactly 401 invalid_token`, async () => {
    const header = fc.record(
      {
        alg: fc.constantFrom('HS256', 'HS384', 'HS512', 'none', 'None', 'RS256', 'ES256', 'PS256'),
        typ: fc.constantFrom('JWT', 'at+jwt'),
        kid: fc.string({ maxLength: 40 }),
        crit: fc.array(fc.string({ maxLength: 8 }), { maxLength: 2 }),
        extra: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: ['alg'] },
    );
    // Plausible claims (alice's real ones mixed with random values) or any JSON at all.
    const claims = fc.oneof(
      fc.record(
        {
          sub: fc.oneof(fc.constant(alice.sub), fc.jsonValue({ maxDepth: 1 })),
          jti: fc.oneof(fc.constant(alice.jti), fc.uuid()),
          sid: fc.oneof(fc.constant(alice.sid), fc.uuid()),
          type: fc.constantFrom('access', 'refresh', 'Access', ''),
          iat: fc.oneof(fc.constant(alice.iat), fc.integer()),
          exp: fc.oneof(fc.constant(alice.exp), fc.integer(), fc.string()),
          iss: fc.oneof(fc.constant(alice.iss), fc.string()),
          aud: fc.oneof(fc.constant(alice.aud), fc.array(fc.string())),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const signature = fc.oneof(
      fc.constant(''),
      b64urlBytes(64),
      fc.constant('attacker-secret-0123456789abcdef-0123456789'),
    );
    const token = fc.tuple(header, claims, signature).map(([h, p, s]) => {
      const input = `${segment(h)}.${segment(p)}`;
      const sig = s.startsWith('attacker-')
        ? createHmac('sha256', s).update(input).digest('base64url')
        : s;
      return `${input}.${sig}`;
    });
    await check(fc.tuple(ROUTES, token), async ([path, value]) => {
      recordFuzz(tally, await get(path, `Bearer ${value}`), ['invalid_token']);
    });
  });

  it(`random JSON segments, raw bytes (${RUNS} runs): exactly 401 invalid_token`, async () => {
    const token = fc
      .tuple(b64urlBytes(120, 1), b64urlBytes(400), b64urlBytes(64), fc.nat({ max: 4 }))
      .map(([h, p, s, dots]) => [h, p, s].slice(0, 1 + (dots % 3)).join('.') + '.'.repeat(dots));
    await check(token, async (value) => {
      const res = await get('/t/me', `Bearer ${value}`);
      recordFuzz(tally, res, ['invalid_token']);
    });
  });
});

describe('property: no access_token cookie gets through', () => {
  it(`random cookie values (${RUNS} runs): never 2xx, never 5xx`, async () => {
    await check(fc.tuple(ROUTES, headerText(300)), async ([path, value]) => {
      const res = await request(server).get(path).set('Cookie', `access_token=${value}`);
      recordFuzz(tally, res, HEADER_CODES);
    });
  });
});

describe('property: no login body gets through', () => {
  it(`random JSON bodies on POST /auth/login (${RUNS} runs): never 2xx, never 5xx`, async () => {
    const field = fc.oneof(fc.string({ maxLength: 80 }), fc.jsonValue({ maxDepth: 2 }));
    const body = fc.oneof(
      fc.record({ email: field, username: field, password: field }, { requiredKeys: [] }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    await check(body, async (value) => {
      const res = await request(server)
        .post('/auth/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(value));
      recordFuzz(tally, res, ['invalid_request', 'invalid_credentials', 'password_policy']);
    });
  });
});
