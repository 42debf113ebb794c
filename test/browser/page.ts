import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { BROWSER_TIMEOUT_MS } from './chromium';

/** The demo user the page signs in as. */
export const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };

/** Alice as GET /users/me answers (the demo seed). */
export const ALICE_VIEW = {
  id: expect.any(Number) as number,
  email: ALICE.email,
  roles: ['user'],
  permissions: [],
  isActive: true,
  isVerified: true,
  createdAt: expect.any(String) as string,
};

/** What #status shows: its state (busy, ok, error, idle), the error code, and the text. */
export interface PageStatus {
  state: string | null;
  code: string | null;
  text: string | null;
}

/** The body of `POST /auth/cookie/login` and `/auth/cookie/refresh`. */
export interface CookieLoginBody {
  expiresIn: number;
  refreshExpiresIn: number;
  csrfToken: string;
}

/** What the page's own script gets back from a `fetch` (status and parsed JSON body, or null). */
export interface FetchResult {
  status: number;
  body: unknown;
}

/**
 * Waits (bounded) until the page's current action has settled (`<body data-busy="false">`). A
 * selector, not a predicate: the page's CSP forbids the eval that `waitForFunction` needs.
 */
export async function settled(page: Page): Promise<void> {
  await page
    .locator('body[data-busy="false"]')
    .waitFor({ state: 'attached', timeout: BROWSER_TIMEOUT_MS });
}

/** Reads #status. */
export async function statusOf(page: Page): Promise<PageStatus> {
  const box = page.locator('#status');
  return {
    state: await box.getAttribute('data-state'),
    code: await box.getAttribute('data-code'),
    text: await box.textContent(),
  };
}

/** The text of #user. */
export function userText(page: Page): Promise<string | null> {
  return page.locator('#user').textContent();
}

/** Opens the demo page in `context` and waits until it has loaded /users/me. */
export async function openDemo(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(`${url}/`);
  expect(response?.status()).toBe(200);
  await settled(page);
  return page;
}

/** Clicks a button of the page and waits until its action has settled. */
export async function press(page: Page, selector: string): Promise<void> {
  await page.click(selector);
  await settled(page);
}

/** Fills the form, presses #login, and returns the login answer as the page received it. */
export async function signIn(
  page: Page,
  { email, password } = ALICE,
): Promise<{ status: number; body: unknown }> {
  await page.fill('#email', email);
  await page.fill('#password', password);
  const answer = page.waitForResponse((r) => r.url().endsWith('/auth/cookie/login'));
  await page.click('#login');
  const response = await answer;
  await settled(page);
  return { status: response.status(), body: (await response.json()) as unknown };
}

/** {@link signIn}, asserting 200; returns the body. */
export async function signedIn(page: Page): Promise<CookieLoginBody> {
  const { status, body } = await signIn(page);
  expect(status).toBe(200);
  return body as CookieLoginBody;
}

/**
 * A POST from the page's own script (its origin, its cookies), with the given headers and no
 * body: what any script running on that page could send.
 */
export function postFromPage(
  page: Page,
  url: string,
  headers: Record<string, string> = {},
): Promise<FetchResult> {
  return page.evaluate(
    async ({ target, extra }) => {
      const response = await fetch(target, { method: 'POST', headers: extra });
      const text = await response.text();
      return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
    },
    { target: url, extra: headers },
  );
}

/** `document.cookie` as the page's script sees it. */
export function documentCookie(page: Page): Promise<string> {
  return page.evaluate<string>('document.cookie');
}
