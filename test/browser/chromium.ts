import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, test } from 'vitest';

/**
 * Debian's `chromium` package (`.ci/install-chromium.sh`); Playwright's own download cannot work
 * offline. `AUTH_TEST_CHROMIUM` points elsewhere (e.g. to check the skip).
 */
export const CHROMIUM_PATH = process.env.AUTH_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** The bound on every browser action and wait, in milliseconds. */
export const BROWSER_TIMEOUT_MS = 10_000;

/** Where screenshots go (git-ignored; CI keeps them as artifacts). */
export const ARTIFACTS_DIR = path.join(__dirname, 'artifacts');

/** CI (or AUTH_TEST_REQUIRE_BROWSER=1) must run the browser tests, never skip them. */
function browserRequired(): boolean {
  const ci = process.env.CI;
  return (!!ci && ci !== 'false' && ci !== '0') || process.env.AUTH_TEST_REQUIRE_BROWSER === '1';
}

/**
 * Registers `describe(name, fn)` when Chromium is installed. Without it the suite is skipped with
 * one line saying so, or, under CI / AUTH_TEST_REQUIRE_BROWSER=1, replaced by a failing test.
 */
export function describeBrowser(name: string, fn: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, fn);
    return;
  }
  const problem = `${CHROMIUM_PATH} is missing (install it with bash .ci/install-chromium.sh)`;
  if (browserRequired()) {
    describe(name, () => {
      test('Chromium is installed', () => {
        throw new Error(`${problem}; CI requires the browser tests`);
      });
    });
    return;
  }
  console.warn(`[browser] ${problem}: skipping "${name}"`);
  describe.skip(name, fn);
}

/** Headless Chromium, launched with bounded startup. Close it in `afterAll`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A fresh browser profile (its own cookie jar) whose every action and wait is bounded. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 900, height: 820 } });
  context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
  return context;
}

/** Saves a full-page screenshot under {@link ARTIFACTS_DIR}, prints its path and returns it. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`[browser] screenshot: ${file}`);
  return file;
}
