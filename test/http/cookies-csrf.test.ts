import type { Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { PASSWORDS, type TestApp } from '../support/app';
import {
  bearer,
  cookieHeader,
  cookieLogin,
  cookieValue,
  expectError,
  loginCookies,
  sessionCookies,
  useTestApp,
  withHeaders,
  type CookieSession,
  type PairBody,
} from '../support/http';

const HOST = 'app.test';
const OWN_ORIGIN = `http://${HOST}`;
const TRUSTED = 'https://spa.example.com';
const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';
const ACCESS_TTL = 15 * 60;
const REFRESH_TTL = 7 * 24 * 3600;
const INVALID_TOKEN = 'Bearer error="invalid_token"';
const INVALID_REQUEST = 'Bearer error="invalid_request"';

/** A cookie login through the app's own host (alice unless told otherwise). */
function signIn(
  app: Express,
  email = 'alice@example.com',
  password: string = PASSWORDS.alice,
): Promise<CookieSession> {
  return cookieLogin(app, email, password, HOST);
}

type Method = 'get' | 'post' | 'delete';

function send(
  app: Express,
  method: Method,
  path: string,
  headers: Record<string, string | undefined>,
): request.Test {
  return withHeaders(request(app)[method](path).set('Host', HOST), headers);
}

describe('POST /auth/cookie/login (cookies.secure: false)', () => {
  const t = useTestApp();

  it('sets the access, refresh and CSRF cookies with the documented attributes', async () => {
    const { res } = await signIn(t().app);
    const cookies = loginCookies(res);

    const access = cookies.get('access_token');
    expect(access?.attributes.get('httponly')).toBe(true);
    expect(access?.attributes.get('samesite')).toBe('Lax');
    expect(access?.attributes.get('path')).toBe('/');
    expect(access?.attributes.get('max-age')).toBe(String(ACCESS_TTL));
    expect(access?.attributes.has('secure')).toBe(false);

    const refresh = cookies.get('refresh_token');
    expect(refresh?.attributes.get('httponly')).toBe(true);
    expect(refresh?.attributes.get('samesite')).toBe('Lax');
    expect(refresh?.attributes.get('path')).toBe('/auth');
    expect(refresh?.attributes.get('max-age')).toBe(String(REFRESH_TTL));
    expect(refresh?.attributes.has('secure')).toBe(false);

    const csrf = cookies.get('csrf_token');
    expect(csrf?.attributes.has('httponly')).toBe(false);
    expect(csrf?.attributes.get('samesite')).toBe('Lax');
    expect(csrf?.attributes.get('path')).toBe('/');
    expect(csrf?.attributes.has('secure')).toBe(false);
    expect(csrf?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('carries no token in the body, and sends Cache-Control: no-store', async () => {
    const { res, access, refresh, csrf } = await signIn(t().app);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toContain(access);
    expect(res.text).not.toContain(refresh);
    expect(res.body).toEqual({
      expiresIn: ACCESS_TTL,
      refreshExpiresIn: REFRESH_TTL,
      csrfToken: csrf,
    });
  });

  it.each([
    ['text/plain', JSON.stringify({ email: 'alice@example.com', password: PASSWORDS.alice })],
    ['application/x-www-form-urlencoded', `email=alice%40example.com&password=${PASSWORDS.alice}`],
  ])(
    'a %s body (what a cross-site HTML form can send) logs nobody in → 400, no cookie',
    async (type, body) => {
      const res = await request(t().app)
        .post('/auth/cookie/login')
        .set('Content-Type', type)
        .set('Sec-Fetch-Site', 'cross-site')
        .send(body);
      expectError(res, 400, 'invalid_request', INVALID_REQUEST);
      expect(res.headers['set-cookie']).toBeUndefined();
    },
  );

  it('a failed cookie login sets no cookie', async () => {
    const res = await request(t().app)
      .post('/auth/cookie/login')
      .send({ email: 'alice@example.com', password: 'wrong-password-1' });
    expectError(res, 401, 'invalid_credentials', 'Bearer');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('POST /auth/cookie/login (cookies.secure: true)', () => {
  const t = useTestApp({ cookies: { secure: true } });

  it('marks all three cookies Secure', async () => {
    const { res } = await signIn(t().app);
    for (const cookie of loginCookies(res).values()) {
      expect(cookie.attributes.get('secure'), cookie.name).toBe(true);
    }
  });

  it('clears them with Secure too (a browser ignores a non-Secure overwrite of a Secure cookie)', async () => {
    const s = await signIn(t().app);
    const res = await send(t().app, 'post', '/auth/logout', {
      Cookie: sessionCookies(s),
      'X-CSRF-Token': s.csrf,
    });
    expect(res.status).toBe(204);
    for (const cookie of loginCookies(res).values()) {
      expect(cookie.attributes.get('secure'), cookie.name).toBe(true);
      expect(cookie.attributes.get('samesite'), cookie.name).toBe('Lax');
      expect(cookie.attributes.get('expires'), cookie.name).toBe(EPOCH);
    }
  });

  it('the cookies still authenticate when sent back (over plain http in the test)', async () => {
    const s = await signIn(t().app);
    const me = await send(t().app, 'get', '/t/me', { Cookie: sessionCookies(s) });
    expect(me.status).toBe(200);
    const write = await send(t().app, 'post', '/t/write', {
      Cookie: sessionCookies(s),
      'X-CSRF-Token': s.csrf,
    });
    expect(write.status).toBe(200);
    expect(write.body).toEqual({ id: t().users.alice.id });
  });
});

describe("cookies.sameSite: 'strict'", () => {
  const t = useTestApp({ cookies: { secure: false, sameSite: 'strict' } });

  it('sets SameSite=Strict on all three cookies', async () => {
    const { res } = await signIn(t().app);
    for (const cookie of loginCookies(res).values()) {
      expect(cookie.attributes.get('samesite'), cookie.name).toBe('Strict');
    }
  });
});

describe('CSRF on cookie-authenticated requests', () => {
  const t = useTestApp({ cookies: { secure: false }, csrf: { trustedOrigins: [TRUSTED] } });

  it('a safe GET needs no CSRF header (nor CSRF cookie)', async () => {
    const s = await signIn(t().app);
    const res = await send(t().app, 'get', '/t/me', {
      Cookie: cookieHeader({ access_token: s.access }),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: t().users.alice.id, email: 'alice@example.com' });
  });

  const UNSAFE: [string, number][] = [
    ['/t/write', 200],
    ['/auth/logout', 204],
    ['/auth/logout-all', 204],
    ['/auth/cookie/refresh', 200],
    ['/auth/refresh', 200],
  ];

  describe.each(UNSAFE)('POST %s', (path, okStatus) => {
    /** Asserts a refusal, then that the refused request changed nothing: the session still works. */
    async function refused(s: CookieSession, headers: Record<string, string | undefined>) {
      const res = await send(t().app, 'post', path, { Cookie: sessionCookies(s), ...headers });
      expectError(res, 403, 'csrf_failed');
      expect(res.headers['set-cookie']).toBeUndefined();
      const me = await send(t().app, 'get', '/t/me', { Cookie: sessionCookies(s) });
      expect(me.status).toBe(200);
    }

    async function accepted(s: CookieSession, headers: Record<string, string | undefined>) {
      const res = await send(t().app, 'post', path, { Cookie: sessionCookies(s), ...headers });
      expect(res.status, res.text).toBe(okStatus);
    }

    it('without X-CSRF-Token → 403 csrf_failed', async () => {
      const s = await signIn(t().app);
      await refused(s, {});
      await accepted(s, { 'X-CSRF-Token': s.csrf }); // the refusal consumed nothing
    });

    it('with an empty X-CSRF-Token → 403', async () => {
      const s = await signIn(t().app);
      await refused(s, { 'X-CSRF-Token': '' });
      await accepted(s, { 'X-CSRF-Token': s.csrf });
    });

    it('with a wrong X-CSRF-Token → 403', async () => {
      const s = await signIn(t().app);
      const other = await signIn(t().app);
      await refused(s, { 'X-CSRF-Token': other.csrf });
      await refused(s, { 'X-CSRF-Token': s.csrf.slice(0, -1) });
      await refused(s, { 'X-CSRF-Token': `${s.csrf}, ${s.csrf}` });
      await accepted(s, { 'X-CSRF-Token': s.csrf });
    });

    it('with the header but no CSRF cookie → 403', async () => {
      const s = await signIn(t().app);
      const res = await send(t().app, 'post', path, {
        Cookie: cookieHeader({ access_token: s.access, refresh_token: s.refresh }),
        'X-CSRF-Token': s.csrf,
      });
      expectError(res, 403, 'csrf_failed');
    });

    it('with the right X-CSRF-Token → 2xx', async () => {
      const s = await signIn(t().app);
      await accepted(s, { 'X-CSRF-Token': s.csrf });
    });

    it('Sec-Fetch-Site: cross-site → 403 even with the right token', async () => {
      const s = await signIn(t().app);
      await refused(s, { 'X-CSRF-Token': s.csrf, 'Sec-Fetch-Site': 'cross-site' });
      await refused(s, { 'X-CSRF-Token': s.csrf, 'Sec-Fetch-Site': 'Cross-Site' });
      await accepted(s, { 'X-CSRF-Token': s.csrf });
    });

    it('Sec-Fetch-Site: same-origin with the right token → 2xx', async () => {
      const s = await signIn(t().app);
      await accepted(s, { 'X-CSRF-Token': s.csrf, 'Sec-Fetch-Site': 'same-origin' });
    });

    it('a foreign Origin → 403 even with the right token', async () => {
      const s = await signIn(t().app);
      await refused(s, { 'X-CSRF-Token': s.csrf, Origin: 'http://evil.example' });
      // Same host, another scheme or port, is another origin.
      await refused(s, { 'X-CSRF-Token': s.csrf, Origin: `https://${HOST}` });
      await refused(s, { 'X-CSRF-Token': s.csrf, Origin: `${OWN_ORIGIN}:8080` });
      await refused(s, { 'X-CSRF-Token': s.csrf, Origin: `${OWN_ORIGIN}.evil.example` });
      await accepted(s, { 'X-CSRF-Token': s.csrf });
    });

    it('Origin: null → 403 even with the right token', async () => {
      const s = await signIn(t().app);
      await refused(s, { 'X-CSRF-Token': s.csrf, Origin: 'null' });
      await accepted(s, { 'X-CSRF-Token': s.csrf });
    });

    it('its own origin (http://<Host>) with the right token → 2xx', async () => {
      const s = await signIn(t().app);
      await accepted(s, { 'X-CSRF-Token': s.csrf, Origin: OWN_ORIGIN });
    });

    it('a configured trusted origin with the right token → 2xx', async () => {
      const s = await signIn(t().app);
      await accepted(s, { 'X-CSRF-Token': s.csrf, Origin: TRUSTED });
    });
  });

  it('DELETE is unsafe too: CSRF is checked before roles and permissions', async () => {
    const alice = await signIn(t().app);
    const denied = await send(t().app, 'delete', '/t/users/1', {
      Cookie: sessionCookies(alice),
    });
    expectError(denied, 403, 'csrf_failed');
    const ops = await signIn(t().app, 'ops@example.com', PASSWORDS.ops);
    const noToken = await send(t().app, 'delete', '/t/users/1', {
      Cookie: sessionCookies(ops),
    });
    expectError(noToken, 403, 'csrf_failed');
    const ok = await send(t().app, 'delete', '/t/users/1', {
      Cookie: sessionCookies(ops),
      'X-CSRF-Token': ops.csrf,
    });
    expect(ok.status).toBe(200);
  });

  it('Bearer-header requests need no CSRF token, whatever Origin / Sec-Fetch-Site say', async () => {
    const login = await request(t().app)
      .post('/auth/login')
      .send({ email: 'alice@example.com', password: PASSWORDS.alice });
    const pair = login.body as PairBody;
    const crossSite = { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://other.example' };
    const write = await send(t().app, 'post', '/t/write', {
      Authorization: bearer(pair.access_token),
      ...crossSite,
    });
    expect(write.status).toBe(200);
    const refreshed = await send(t().app, 'post', '/auth/refresh', {
      Authorization: bearer(pair.refresh_token),
      ...crossSite,
    });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body as PairBody;
    const logout = await send(t().app, 'post', '/auth/logout', {
      Authorization: bearer(next.access_token),
      ...crossSite,
    });
    expect(logout.status).toBe(204);
  });

  it('cookie and Bearer at once → 400 invalid_request', async () => {
    const s = await signIn(t().app);
    for (const method of ['get', 'post'] as const) {
      const res = await send(t().app, method, method === 'get' ? '/t/me' : '/t/write', {
        Cookie: sessionCookies(s),
        Authorization: bearer(s.access),
        'X-CSRF-Token': s.csrf,
      });
      expectError(res, 400, 'invalid_request', INVALID_REQUEST);
    }
    // The refresh token too: cookie plus JSON body.
    const res = await send(t().app, 'post', '/auth/cookie/refresh', {
      Cookie: sessionCookies(s),
      'X-CSRF-Token': s.csrf,
    }).send({ refresh_token: s.refresh });
    expectError(res, 400, 'invalid_request', INVALID_REQUEST);
  });

  it('a duplicated access cookie → 400 invalid_request', async () => {
    const s = await signIn(t().app);
    const other = await signIn(t().app, 'admin@example.com', PASSWORDS.admin);
    for (const second of [s.access, other.access]) {
      const res = await send(t().app, 'get', '/t/me', {
        Cookie: `access_token=${s.access}; csrf_token=${s.csrf}; access_token=${second}`,
      });
      expectError(res, 400, 'invalid_request', INVALID_REQUEST);
    }
  });

  it('a duplicated refresh or CSRF cookie → 400 invalid_request', async () => {
    const s = await signIn(t().app);
    const other = await signIn(t().app);
    const twoRefresh = await send(t().app, 'post', '/auth/cookie/refresh', {
      Cookie: `refresh_token=${s.refresh}; refresh_token=${other.refresh}; csrf_token=${s.csrf}`,
      'X-CSRF-Token': s.csrf,
    });
    expectError(twoRefresh, 400, 'invalid_request', INVALID_REQUEST);
    const twoCsrf = await send(t().app, 'post', '/t/write', {
      Cookie: `access_token=${s.access}; csrf_token=${other.csrf}; csrf_token=${s.csrf}`,
      'X-CSRF-Token': s.csrf,
    });
    expect(twoCsrf.status).toBe(400);
    // Neither request consumed anything.
    const after = await send(t().app, 'get', '/t/me', { Cookie: sessionCookies(s) });
    expect(after.status, after.text).toBe(200);
    const rotated = await send(t().app, 'post', '/auth/cookie/refresh', {
      Cookie: sessionCookies(s),
      'X-CSRF-Token': s.csrf,
    });
    expect(rotated.status).toBe(200);
  });

  it.each([
    ['a cookie-parser JSON value', 'j:{"sub":"1","type":"access"}'],
    ['a percent-encoded JSON value', 'j%3A%7B%22sub%22%3A%221%22%7D'],
    ['a JSON string value', 'j:"abc.def.ghi"'],
    ['a signed-cookie value', 's:abc.def.ghi'],
    ['bad percent-encoding', '%E0%A4%A'],
    ['an empty value', ''],
    ['a quoted empty value', '""'],
    ['a non-token value', 'abc def'],
  ])('%s in the access cookie → 401 invalid_token', async (_label, value) => {
    const res = await send(t().app, 'get', '/t/me', { Cookie: `access_token=${value}` });
    expectError(res, 401, 'invalid_token', INVALID_TOKEN);
  });

  it('tokens swapped between the cookies → 401 wrong_token_type', async () => {
    const s = await signIn(t().app);
    const asAccess = await send(t().app, 'get', '/t/me', {
      Cookie: cookieHeader({ access_token: s.refresh }),
    });
    expectError(asAccess, 401, 'wrong_token_type', INVALID_TOKEN);
    const asRefresh = await send(t().app, 'post', '/auth/cookie/refresh', {
      Cookie: cookieHeader({ refresh_token: s.access, csrf_token: s.csrf }),
      'X-CSRF-Token': s.csrf,
    });
    expectError(asRefresh, 401, 'wrong_token_type', INVALID_TOKEN);
  });

  it('a quoted cookie value is read like the bare one', async () => {
    const s = await signIn(t().app);
    const res = await send(t().app, 'get', '/t/me', { Cookie: `access_token="${s.access}"` });
    expect(res.status).toBe(200);
  });

  it('a j: value in the refresh cookie → 401 invalid_token', async () => {
    const res = await send(t().app, 'post', '/auth/cookie/refresh', {
      Cookie: 'refresh_token=j:{"a":1}; csrf_token=x',
      'X-CSRF-Token': 'x',
    });
    expectError(res, 401, 'invalid_token', INVALID_TOKEN);
  });

  it('POST /auth/cookie/refresh rotates: new cookies, the old refresh cookie is dead, replay kills the session', async () => {
    const s = await signIn(t().app);
    t().clock.advance(24 * 3600_000); // a day later: the access cookie is long expired

    const res = await send(t().app, 'post', '/auth/cookie/refresh', {
      Cookie: sessionCookies(s),
      'X-CSRF-Token': s.csrf,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const cookies = loginCookies(res);
    const next = {
      access: cookieValue(cookies, 'access_token'),
      refresh: cookieValue(cookies, 'refresh_token'),
      csrf: cookieValue(cookies, 'csrf_token'),
    };
    expect(next.access).not.toBe(s.access);
    expect(next.refresh).not.toBe(s.refresh);
    expect(res.text).not.toContain(next.access);
    expect(res.text).not.toContain(next.refresh);
    expect(res.body).toEqual({
      expiresIn: ACCESS_TTL,
      refreshExpiresIn: REFRESH_TTL - 24 * 3600,
      csrfToken: next.csrf,
    });
    // Rotation never extends the session: the new refresh cookie dies when the session does.
    expect(cookies.get('access_token')?.attributes.get('max-age')).toBe(String(ACCESS_TTL));
    expect(cookies.get('refresh_token')?.attributes.get('max-age')).toBe(
      String(REFRESH_TTL - 24 * 3600),
    );
    expect(cookies.get('refresh_token')?.attributes.get('path')).toBe('/auth');

    const me = await send(t().app, 'get', '/t/me', { Cookie: sessionCookies(next) });
    expect(me.status).toBe(200);

    // Replaying the rotated refresh cookie (with its own, still matching CSRF pair) is reuse.
    const replay = await send(t().app, 'post', '/auth/cookie/refresh', {
      Cookie: sessionCookies(s),
      'X-CSRF-Token': s.csrf,
    });
    expectError(replay, 401, 'refresh_token_reused', INVALID_TOKEN);
    expect(replay.headers['set-cookie']).toBeUndefined();

    // The whole session is dead, the newest pair included.
    const after = await send(t().app, 'get', '/t/me', { Cookie: sessionCookies(next) });
    expectError(after, 401, 'token_revoked', INVALID_TOKEN);
    const again = await send(t().app, 'post', '/auth/cookie/refresh', {
      Cookie: sessionCookies(next),
      'X-CSRF-Token': next.csrf,
    });
    expect(again.status).toBe(401);
  });

  it('logout via cookie clears the three cookies and kills the session', async () => {
    const s = await signIn(t().app);
    const res = await send(t().app, 'post', '/auth/logout', {
      Cookie: sessionCookies(s),
      'X-CSRF-Token': s.csrf,
    });
    expect(res.status).toBe(204);
    const cleared = loginCookies(res);
    const paths = { access_token: '/', refresh_token: '/auth', csrf_token: '/' } as const;
    for (const [name, path] of Object.entries(paths)) {
      const cookie = cleared.get(name);
      expect(cookie?.value, name).toBe('');
      expect(cookie?.attributes.get('expires'), name).toBe(EPOCH);
      expect(cookie?.attributes.get('path'), name).toBe(path);
    }
    expect(cleared.get('access_token')?.attributes.get('httponly')).toBe(true);
    expect(cleared.get('refresh_token')?.attributes.get('httponly')).toBe(true);

    const me = await send(t().app, 'get', '/t/me', { Cookie: sessionCookies(s) });
    expectError(me, 401, 'token_revoked', INVALID_TOKEN);
    const refresh = await send(t().app, 'post', '/auth/cookie/refresh', {
      Cookie: sessionCookies(s),
      'X-CSRF-Token': s.csrf,
    });
    expect(refresh.status).toBe(401);
  });
});

describe("tokenLocation: ['header']", () => {
  const t = useTestApp({ cookies: { secure: false }, tokenLocation: ['header'] });

  async function pair(app: TestApp) {
    return app.auth.tokens.createTokenPair(app.users.alice.id);
  }

  it('ignores an access cookie entirely → 401 missing_credentials', async () => {
    const p = await pair(t());
    const res = await send(t().app, 'get', '/t/me', {
      Cookie: cookieHeader({ access_token: p.accessToken }),
    });
    expectError(res, 401, 'missing_credentials', 'Bearer');
  });

  it('ignores a refresh cookie → 401 missing_credentials', async () => {
    const p = await pair(t());
    const res = await send(t().app, 'post', '/auth/refresh', {
      Cookie: cookieHeader({ refresh_token: p.refreshToken, csrf_token: 'x' }),
      'X-CSRF-Token': 'x',
    });
    expectError(res, 401, 'missing_credentials', 'Bearer');
  });

  it('malformed or duplicated cookies next to a Bearer header are not even read', async () => {
    const p = await pair(t());
    for (const cookie of [
      'access_token=j:{"a":1}',
      `access_token=${p.accessToken}; access_token=x`,
      'access_token=%E0%A4%A',
    ]) {
      const res = await send(t().app, 'get', '/t/me', {
        Cookie: cookie,
        Authorization: bearer(p.accessToken),
      });
      expect(res.status, cookie).toBe(200);
    }
    // Bearer needs no CSRF, even with an access cookie alongside.
    const write = await send(t().app, 'post', '/t/write', {
      Cookie: cookieHeader({ access_token: p.accessToken }),
      Authorization: bearer(p.accessToken),
    });
    expect(write.status).toBe(200);
  });
});

describe("tokenLocation: ['cookie']", () => {
  const t = useTestApp({ cookies: { secure: false }, tokenLocation: ['cookie'] });

  it('ignores the Authorization header → 401 missing_credentials', async () => {
    const p = await t().auth.tokens.createTokenPair(t().users.alice.id);
    const res = await send(t().app, 'get', '/t/me', { Authorization: bearer(p.accessToken) });
    expectError(res, 401, 'missing_credentials', 'Bearer');
    const refresh = await send(t().app, 'post', '/auth/refresh', {
      Authorization: bearer(p.refreshToken),
    });
    expectError(refresh, 401, 'missing_credentials', 'Bearer');
  });

  it('a cookie plus an Authorization header is not a conflict: the header is not read', async () => {
    const s = await signIn(t().app);
    for (const authorization of [bearer(s.access), 'Bearer a b', 'Bearer']) {
      const res = await send(t().app, 'get', '/t/me', {
        Cookie: sessionCookies(s),
        Authorization: authorization,
      });
      expect(res.status, authorization).toBe(200);
    }
  });

  it('unsafe requests still need the CSRF token', async () => {
    const s = await signIn(t().app);
    const bad = await send(t().app, 'post', '/t/write', { Cookie: sessionCookies(s) });
    expectError(bad, 403, 'csrf_failed');
    const good = await send(t().app, 'post', '/t/write', {
      Cookie: sessionCookies(s),
      'X-CSRF-Token': s.csrf,
    });
    expect(good.status).toBe(200);
  });
});
