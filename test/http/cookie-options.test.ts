import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { resolveAuthConfig } from '../../src';
import { PASSWORDS } from '../support/app';
import { TEST_SECRET } from '../support/clock';
import { configError } from '../support/config-error';
import { cookieHeader, expectError, setCookies, useTestApp } from '../support/http';

const ALICE = { email: 'alice@example.com', password: PASSWORDS.alice };

describe('cookies.hostPrefix: __Host- names (finding 13)', () => {
  const t = useTestApp({ cookies: { hostPrefix: true } });

  it('names the cookies __Host- (refresh: __Secure-, being path-scoped), Secure, no Domain', async () => {
    const res = await request(t().app).post('/auth/cookie/login').send(ALICE);
    expect(res.status, res.text).toBe(200);
    const cookies = setCookies(res);
    expect([...cookies.keys()]).toEqual([
      '__Host-access_token',
      '__Secure-refresh_token',
      '__Host-csrf_token',
    ]);
    for (const cookie of cookies.values()) {
      expect(cookie.attributes.get('secure')).toBe(true);
      expect(cookie.attributes.has('domain')).toBe(false);
    }
    expect(cookies.get('__Host-access_token')?.attributes.get('path')).toBe('/');
    expect(cookies.get('__Host-csrf_token')?.attributes.get('path')).toBe('/');
    expect(cookies.get('__Secure-refresh_token')?.attributes.get('path')).toBe('/auth');
  });

  it('reads the prefixed cookies, and only those', async () => {
    const res = await request(t().app).post('/auth/cookie/login').send(ALICE);
    const cookies = setCookies(res);
    const access = cookies.get('__Host-access_token')?.value ?? '';
    const csrf = cookies.get('__Host-csrf_token')?.value ?? '';
    const ok = await request(t().app)
      .post('/t/write')
      .set('Cookie', cookieHeader({ '__Host-access_token': access, '__Host-csrf_token': csrf }))
      .set('X-CSRF-Token', csrf);
    expect(ok.status, ok.text).toBe(200);
    // The unprefixed name (what a sibling subdomain could plant) is not read.
    const planted = await request(t().app)
      .get('/t/me')
      .set('Cookie', cookieHeader({ access_token: access }));
    expectError(planted, 401, 'missing_credentials', 'Bearer');
  });

  it('refuses a Domain, a non-root path or secure: false with it', () => {
    const base = { secretKey: TEST_SECRET };
    expect(
      configError(() =>
        resolveAuthConfig({ ...base, cookies: { hostPrefix: true, domain: 'example.com' } }, {}),
      ).key,
    ).toBe('cookies.hostPrefix');
    expect(
      configError(() =>
        resolveAuthConfig({ ...base, cookies: { hostPrefix: true, path: '/app' } }, {}),
      ).key,
    ).toBe('cookies.hostPrefix');
    expect(
      configError(() =>
        resolveAuthConfig({ ...base, cookies: { hostPrefix: true, secure: false } }, {}),
      ).key,
    ).toBe('cookies.secure');
    expect(
      resolveAuthConfig(base, { AUTH_COOKIE_HOST_PREFIX: 'true' }).cookies.accessTokenName,
    ).toBe('__Host-access_token');
  });
});

describe('cookies.sameSite: none, for a browser app on another site', () => {
  const t = useTestApp({ cookies: { sameSite: 'none' } });

  it('sets SameSite=None with Secure forced', async () => {
    const res = await request(t().app).post('/auth/cookie/login').send(ALICE);
    expect(res.status).toBe(200);
    for (const cookie of setCookies(res).values()) {
      expect(cookie.attributes.get('samesite')).toBe('None');
      expect(cookie.attributes.get('secure')).toBe(true);
    }
    expect(t().auth.config.cookies.secure).toBe(true);
  });

  it('keeps the CSRF check on unsafe requests', async () => {
    const res = await request(t().app).post('/auth/cookie/login').send(ALICE);
    const cookies = setCookies(res);
    const access = cookies.get('access_token')?.value ?? '';
    const csrf = cookies.get('csrf_token')?.value ?? '';
    const jar = cookieHeader({ access_token: access, csrf_token: csrf });
    expectError(await request(t().app).post('/t/write').set('Cookie', jar), 403, 'csrf_failed');
    expect(
      (await request(t().app).post('/t/write').set('Cookie', jar).set('X-CSRF-Token', csrf)).status,
    ).toBe(200);
  });

  it('refuses secure: false with it, and the env spelling works', () => {
    const error = configError(() =>
      resolveAuthConfig(
        { secretKey: TEST_SECRET, cookies: { sameSite: 'none', secure: false } },
        {},
      ),
    );
    expect(error.key).toBe('cookies.secure');
    expect(error.message).toMatch(/SameSite=None needs Secure/);
    expect(
      resolveAuthConfig({ secretKey: TEST_SECRET }, { AUTH_COOKIE_SAMESITE: 'None' }).cookies
        .sameSite,
    ).toBe('none');
  });
});
