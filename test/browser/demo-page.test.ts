import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Response as PageResponse } from 'playwright-core';
import { testClock } from '../support/clock';
import { describeEngines, type EngineName } from '../support/engines';
import { claimsOf } from '../support/forge';
import {
  startExample,
  stopExample,
  TEST_OPTIONS,
  type ExampleHarness,
} from '../support/http/example';
import { describeBrowser, launchChromium, newContext, screenshot } from './chromium';
import {
  ALICE,
  ALICE_VIEW,
  documentCookie,
  openDemo,
  postFromPage,
  press,
  settled,
  signedIn,
  signIn,
  statusOf,
  userText,
  type CookieLoginBody,
} from './page';
import { serve, serveHtml, type Served } from './serve';

const CSRF_TOKEN = /^[\w-]{43}$/;
const SIGNED_OUT = 'Not signed in: GET /users/me answered 401 missing_credentials.';
const REVOKED = 'Not signed in: GET /users/me answered 401 token_revoked.';
const REFRESHED = 'Refreshed: new access token valid for 900 s.';
const SESSION_SECONDS = 7 * 86_400;
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The example on `engine`, served over real HTTP on a loopback port. */
interface Running {
  harness: ExampleHarness;
  app: Served;
}

/** Starts the example (frozen clock: exact lifetimes) on a port; stop it with {@link stop}. */
function useExample(engine: EngineName, env: Record<string, string> = {}): () => Running {
  let running: Running | undefined;
  const saved = new Map<string, string | undefined>();
  beforeAll(async () => {
    for (const [key, value] of Object.entries(env)) {
      saved.set(key, process.env[key]);
      process.env[key] = value;
    }
    const harness = await startExample(engine, { ...TEST_OPTIONS, now: testClock(Date.now()).now });
    running = { harness, app: await serve(harness.app) };
  });
  afterAll(async () => {
    await running?.app.close();
    await stopExample(running?.harness);
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  });
  return () => {
    if (running === undefined) throw new Error('the example did not start');
    return running;
  };
}

/** Parses #user as the JSON of GET /users/me. */
async function shownUser(page: Page): Promise<unknown> {
  return JSON.parse((await userText(page)) ?? 'null') as unknown;
}

/**
 * The tabs press #refresh at once; the server holds the requests until all have arrived, so they
 * all carry the same refresh cookie. Resolves to each tab's refresh answer.
 */
async function refreshTogether(app: Served, tabs: Page[]): Promise<PageResponse[]> {
  const held = app.hold('/auth/cookie/refresh', tabs.length);
  const answers = tabs.map((tab) =>
    tab.waitForResponse((r) => r.url().endsWith('/auth/cookie/refresh')),
  );
  await Promise.all(tabs.map((tab) => tab.click('#refresh')));
  expect(await held).toBe(tabs.length);
  await Promise.all(tabs.map((tab) => settled(tab)));
  return Promise.all(answers);
}

/** The `jti` of the token a response sets in cookie `name` (its JWT payload, decoded). */
async function cookieJti(response: PageResponse, name: string): Promise<string> {
  const line = (await response.headersArray()).find(
    (h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith(`${name}=`),
  );
  if (line === undefined) throw new Error(`the answer sets no ${name} cookie`);
  const jwt = line.value.slice(name.length + 1, line.value.indexOf(';'));
  return claimsOf(jwt).payload.jti as string;
}

/**
 * Presses a button of the page and returns what its request to `path` carried in the CSRF header,
 * and the answer.
 */
async function pressFor(
  page: Page,
  selector: string,
  path: string,
): Promise<{ csrfHeader: string | undefined; response: PageResponse }> {
  const request = page.waitForRequest((r) => r.url().endsWith(path));
  const answer = page.waitForResponse((r) => r.url().endsWith(path));
  await press(page, selector);
  return { csrfHeader: (await request).headers()['x-csrf-token'], response: await answer };
}

const SIGNED_IN = { state: 'ok', code: '', text: 'Signed in as alice@example.com.' };

describeBrowser('the demo page in Chromium', () => {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
  });
  const fresh = async (): Promise<BrowserContext> => {
    if (browser === undefined) throw new Error('Chromium did not start');
    context = await newContext(browser);
    return context;
  };
  /** Two tabs of one browser profile: signed in in the first, the second opened after. */
  const twoTabs = async (url: string): Promise<[Page, Page]> => {
    const ctx = await fresh();
    const first = await openDemo(ctx, url);
    await signedIn(first);
    const second = await openDemo(ctx, url);
    expect(await statusOf(second)).toEqual(SIGNED_IN);
    return [first, second];
  };

  describeEngines('demo page', (engine) => {
    const running = useExample(engine);

    it('GET / serves the page, its script and its style sheet from this origin only', async () => {
      const { url } = running().app;
      for (const [path, type] of [
        ['/', 'text/html; charset=utf-8'],
        ['/demo.js', 'text/javascript; charset=utf-8'],
        ['/demo.css', 'text/css; charset=utf-8'],
      ] as const) {
        const res = await fetch(`${url}${path}`);
        await res.arrayBuffer();
        expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 200, type]);
        expect(res.headers.get('content-security-policy')).toBe(CSP);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      }
      const requested: string[] = [];
      const page = await (await fresh()).newPage();
      page.on('request', (r) => requested.push(r.url()));
      await page.goto(`${url}/`);
      await settled(page);
      expect(requested.sort()).toEqual(
        [`${url}/`, `${url}/demo.css`, `${url}/demo.js`, `${url}/users/me`].sort(),
      );
      expect(await statusOf(page)).toEqual({ state: 'idle', code: '', text: 'Not signed in.' });
      expect(await userText(page)).toBe(SIGNED_OUT);
    });

    it('a wrong password shows the coded error in #status (screenshot saved)', async () => {
      const page = await openDemo(await fresh(), running().app.url);
      const { status, body } = await signIn(page, { email: ALICE.email, password: 'wrong-pass-1' });
      expect(status).toBe(401);
      expect(body).toEqual({
        name: 'InvalidCredentialsError',
        code: 'invalid_credentials',
        message: 'Incorrect username or password.',
      });
      expect(await statusOf(page)).toEqual({
        state: 'error',
        code: 'invalid_credentials',
        text: 'Login failed: 401 invalid_credentials: Incorrect username or password.',
      });
      expect(await userText(page)).toBe(SIGNED_OUT);
      await screenshot(page, `demo-error-${engine}.png`);
    });

    it('cookie login shows /users/me with the email (screenshot saved)', async () => {
      const page = await openDemo(await fresh(), running().app.url);
      const body = await signedIn(page);
      expect(body).toEqual({
        expiresIn: 900,
        refreshExpiresIn: SESSION_SECONDS,
        csrfToken: expect.stringMatching(CSRF_TOKEN) as string,
      });
      expect(await statusOf(page)).toEqual({
        state: 'ok',
        code: '',
        text: 'Signed in as alice@example.com. Access token valid for 900 s.',
      });
      expect(await shownUser(page)).toEqual(ALICE_VIEW);
      expect(await page.inputValue('#password')).toBe('');
      await screenshot(page, `demo-${engine}.png`);
    });

    it('HttpOnly cookies are unreadable by the page: document.cookie has only the CSRF cookie', async () => {
      const ctx = await fresh();
      const page = await openDemo(ctx, running().app.url);
      const { csrfToken } = await signedIn(page);
      expect(await documentCookie(page)).toBe(`csrf_token=${csrfToken}`);
      const jar = (await ctx.cookies()).map(({ name, path, httpOnly, secure, sameSite }) => ({
        name,
        path,
        httpOnly,
        secure,
        sameSite,
      }));
      expect(jar.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
        { name: 'access_token', path: '/', httpOnly: true, secure: false, sameSite: 'Lax' },
        { name: 'csrf_token', path: '/', httpOnly: false, secure: false, sameSite: 'Lax' },
        { name: 'refresh_token', path: '/auth', httpOnly: true, secure: false, sameSite: 'Lax' },
      ]);
    });

    it('refresh sends the CSRF header, rotates the cookies and keeps the user shown', async () => {
      const ctx = await fresh();
      const page = await openDemo(ctx, running().app.url);
      const { csrfToken } = await signedIn(page);
      const before = await ctx.cookies();
      const { csrfHeader, response } = await pressFor(page, '#refresh', '/auth/cookie/refresh');
      expect(csrfHeader).toBe(csrfToken);
      expect(response.status()).toBe(200);
      expect((await response.json()) as CookieLoginBody).toEqual({
        expiresIn: 900,
        refreshExpiresIn: SESSION_SECONDS,
        csrfToken,
      });
      expect(await statusOf(page)).toEqual({ state: 'ok', code: '', text: REFRESHED });
      expect(await shownUser(page)).toEqual(ALICE_VIEW);
      const value = (cookies: typeof before, name: string): string | undefined =>
        cookies.find((c) => c.name === name)?.value;
      const after = await ctx.cookies();
      for (const name of ['access_token', 'refresh_token']) {
        expect(value(after, name)).not.toBe(value(before, name));
      }
      expect(value(after, 'csrf_token')).toBe(csrfToken);
    });

    it('a POST from the page without the CSRF header is refused with 403 csrf_failed', async () => {
      const { url } = running().app;
      const page = await openDemo(await fresh(), url);
      await signedIn(page);
      expect(await postFromPage(page, '/auth/logout')).toEqual({
        status: 403,
        body: { name: 'CsrfError', code: 'csrf_failed', message: 'Missing CSRF token.' },
      });
      expect(await postFromPage(page, '/auth/cookie/refresh')).toEqual({
        status: 403,
        body: { name: 'CsrfError', code: 'csrf_failed', message: 'Missing CSRF token.' },
      });
      expect(await postFromPage(page, '/auth/logout', { 'X-CSRF-Token': 'forged' })).toEqual({
        status: 403,
        body: { name: 'CsrfError', code: 'csrf_failed', message: 'CSRF token mismatch.' },
      });
      await press(page, '#me');
      expect(await statusOf(page)).toEqual(SIGNED_IN);
      expect(await shownUser(page)).toEqual(ALICE_VIEW);
    });

    describe("another origin's credentialed POST /auth/logout", () => {
      let evil: Served;
      beforeAll(async () => {
        evil = await serveHtml('<!doctype html><title>elsewhere</title><p>Another origin.</p>');
      });
      afterAll(() => evil.close());

      /** Signs in, has a page of `origin` POST /auth/logout with credentials, returns the app tab. */
      async function attackFrom(origin: string): Promise<Page> {
        const { url } = running().app;
        const ctx = await fresh();
        const page = await openDemo(ctx, url);
        await signedIn(page);
        const other = await ctx.newPage();
        expect((await other.goto(`${origin}/`))?.status()).toBe(200);
        running().app.answers.length = 0;
        const outcome = await other.evaluate(async (target) => {
          try {
            await fetch(target, { method: 'POST', credentials: 'include' });
            return 'read the answer';
          } catch {
            return 'blocked';
          }
        }, `${url}/auth/logout`);
        // No CORS header: the other page cannot even read the answer.
        expect(outcome).toBe('blocked');
        return page;
      }

      async function stillSignedIn(page: Page): Promise<void> {
        await press(page, '#me');
        expect(await statusOf(page)).toEqual(SIGNED_IN);
        expect(await shownUser(page)).toEqual(ALICE_VIEW);
      }

      it('same site, other port: the cookies go along, the foreign Origin is refused (403)', async () => {
        const { app } = running();
        const page = await attackFrom(evil.url);
        const answer = app.answers.filter((a) => a.path === '/auth/logout');
        expect(answer).toEqual([
          {
            method: 'POST',
            path: '/auth/logout',
            status: 403,
            origin: evil.url,
            fetchSite: 'same-site',
            cookies: ['access_token', 'csrf_token', 'refresh_token'],
          },
        ]);
        await stillSignedIn(page);
      });

      it('cross site (localhost): SameSite=Lax keeps the cookies home (401, nothing to end)', async () => {
        const { app } = running();
        const page = await attackFrom(`http://localhost:${evil.port}`);
        const answer = app.answers.filter((a) => a.path === '/auth/logout');
        expect(answer).toEqual([
          {
            method: 'POST',
            path: '/auth/logout',
            status: 401,
            origin: `http://localhost:${evil.port}`,
            fetchSite: 'cross-site',
            cookies: [],
          },
        ]);
        await stillSignedIn(page);
      });
    });

    it('logout: 204 with the CSRF header, cookies cleared, /users/me refused; the old cookies are dead', async () => {
      const ctx = await fresh();
      const page = await openDemo(ctx, running().app.url);
      const { csrfToken } = await signedIn(page);
      const cookies = await ctx.cookies();
      const { csrfHeader, response } = await pressFor(page, '#logout', '/auth/logout');
      expect(csrfHeader).toBe(csrfToken);
      expect(response.status()).toBe(204);
      expect(await statusOf(page)).toEqual({ state: 'ok', code: '', text: 'Signed out.' });
      expect(await userText(page)).toBe(SIGNED_OUT);
      expect(await documentCookie(page)).toBe('');
      expect(await ctx.cookies()).toEqual([]);
      // Put the old cookies back: the server has revoked their session.
      await ctx.addCookies(cookies);
      await press(page, '#me');
      expect(await statusOf(page)).toEqual({ state: 'idle', code: '', text: 'Not signed in.' });
      expect(await userText(page)).toBe(REVOKED);
    });

    it('two tabs refreshing at once without a grace window: one wins, the reuse kills the session', async () => {
      const { app } = running();
      const [first, second] = await twoTabs(app.url);
      app.answers.length = 0;
      const answers = await refreshTogether(app, [first, second]);
      expect(answers.map((r) => r.status()).sort()).toEqual([200, 401]);
      const refreshes = app.answers.filter((a) => a.path === '/auth/cookie/refresh');
      expect(refreshes.map((a) => a.status).sort()).toEqual([200, 401]);
      const statuses = [await statusOf(first), await statusOf(second)];
      expect(statuses.map((s) => s.code).sort()).toEqual(['', 'refresh_token_reused']);
      expect(statuses.map((s) => s.text).sort()).toEqual([
        'Refresh failed: 401 refresh_token_reused: The refresh token was already used; the session is revoked.',
        REFRESHED,
      ]);
      // The winner's new cookies belong to the revoked session: both tabs are signed out.
      for (const tab of [first, second]) {
        await press(tab, '#me');
        expect(await userText(tab)).toBe(REVOKED);
      }
    });
  });

  describeEngines('demo page with a refresh grace window', (engine) => {
    const running = useExample(engine, { AUTH_REFRESH_REUSE_GRACE_SECONDS: '10' });

    it('two tabs refreshing at once both stay signed in: both get the same successor', async () => {
      const { app } = running();
      const [first, second] = await twoTabs(app.url);
      const answers = await refreshTogether(app, [first, second]);
      expect(answers.map((r) => r.status())).toEqual([200, 200]);
      // One successor, not two: the same access and refresh token ids in both answers.
      for (const name of ['access_token', 'refresh_token']) {
        const [a, b] = await Promise.all(answers.map((r) => cookieJti(r, name)));
        expect(a).toBe(b);
      }
      for (const tab of [first, second]) {
        expect(await statusOf(tab)).toEqual({ state: 'ok', code: '', text: REFRESHED });
        expect(await shownUser(tab)).toEqual(ALICE_VIEW);
      }
      // The successor is the session's live refresh token: the next refresh rotates it.
      await press(second, '#refresh');
      expect(await statusOf(second)).toEqual({ state: 'ok', code: '', text: REFRESHED });
      await press(first, '#me');
      expect(await statusOf(first)).toEqual(SIGNED_IN);
    });
  });
});
