import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../support/engines';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// One engine: what is checked here is the page and the browser's requests; the same login and
// /users/me answers are checked over HTTP on every engine in example-document.test.ts.
describeEngines(
  'Swagger UI at /docs, in a real browser',
  (engine) => {
    let h: ExampleHarness;
    let server: Server;
    let base: string;
    let browser: Browser;
    beforeAll(async () => {
      if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM} (set CHROMIUM_PATH)`);
      h = await startExample(engine);
      server = h.app.listen(0, '127.0.0.1');
      await new Promise<void>((resolve) => server.once('listening', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    });
    afterAll(async () => {
      await browser.close();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      await stopExample(h);
    });

    it('renders the operations, loads nothing from another origin, and Authorize (OAuth2 password) then Try it out on GET /users/me answers alice', async () => {
      const page = await browser.newPage();
      page.setDefaultTimeout(8_000);
      const foreign: string[] = [];
      const failed: string[] = [];
      page.on('request', (req) => {
        if (!req.url().startsWith(base) && !req.url().startsWith('data:')) foreign.push(req.url());
      });
      page.on('pageerror', (error) => failed.push(error.message));
      await page.goto(`${base}/docs`);

      const me = page.locator('.opblock-get', {
        has: page.locator('.opblock-summary-path[data-path="/users/me"]'),
      });
      await me.waitFor();
      // AuthController, the library account routes, admin and health: what the example mounts.
      expect(await page.locator('.opblock').count()).toBe(24);

      await page.locator('.auth-wrapper button.authorize').click();
      const oauth = page.locator('.auth-container', { hasText: 'oauth2' });
      await oauth.locator('#oauth_username').fill('alice@example.com');
      await oauth.locator('#oauth_password').fill('alice-password-1');
      const tokenAnswer = page.waitForResponse((res) => res.url() === `${base}/auth/token`);
      await oauth.locator('button.authorize').click();
      expect((await tokenAnswer).status()).toBe(200);
      await oauth.locator('button.authorize', { hasText: 'Logout' }).waitFor();
      await page.locator('.modal-ux button.close-modal').click();

      await me.locator('.opblock-summary').click();
      await me.locator('button.try-out__btn').click();
      const meAnswer = page.waitForResponse((res) => res.url() === `${base}/users/me`);
      await me.locator('button.execute').click();
      const answer = await meAnswer;
      expect(answer.status()).toBe(200);
      expect(answer.request().headers().authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(((await answer.json()) as { email: string }).email).toBe('alice@example.com');
      const shown = me.locator('.live-responses-table tbody .response-col_status').first();
      expect((await shown.textContent())?.trim()).toBe('200');
      expect(foreign).toEqual([]);
      expect(failed).toEqual([]);
      await page.close();
    });
  },
  ['sqlite'],
);
