import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/clock';
import { describeEngines } from '../support/engines';
import { buildExample, startExampleProcess, type ExampleProcess } from '../support/example-process';
import { describeBrowser, launchChromium, newContext } from './chromium';
import { ALICE_VIEW, openDemo, signedIn, statusOf, userText } from './page';

// `npm start` runs the tsc output in build/example/, where tsc copies no asset: the page must
// still be found (example/public) and work.
describeBrowser('the built example serves the demo page', () => {
  describeEngines(
    'built example',
    () => {
      const database = `rca_page_${randomBytes(5).toString('hex')}`;
      const admin = new DataSource({
        type: 'postgres',
        host: '127.0.0.1',
        port: 5432,
        username: 'postgres',
        database: 'test',
      });
      let example: ExampleProcess | undefined;
      let browser: Browser | undefined;
      let context: BrowserContext | undefined;

      beforeAll(async () => {
        buildExample();
        await admin.initialize();
        await admin.query(`CREATE DATABASE ${database}`);
        example = await startExampleProcess({
          DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
          AUTH_SECRET_KEY: TEST_SECRET,
          AUTH_BCRYPT_COST: '4',
        });
        browser = await launchChromium();
      }, 180_000);

      afterAll(async () => {
        await context?.close();
        await browser?.close();
        await example?.kill();
        if (admin.isInitialized) {
          await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
          await admin.destroy();
        }
      });

      it('GET / loads in Chromium and the cookie login shows /users/me', async () => {
        if (browser === undefined || example === undefined) throw new Error('setup failed');
        context = await newContext(browser);
        const page = await openDemo(context, example.url);
        expect(await statusOf(page)).toEqual({ state: 'idle', code: '', text: 'Not signed in.' });
        await signedIn(page);
        expect(await statusOf(page)).toEqual({
          state: 'ok',
          code: '',
          text: 'Signed in as alice@example.com. Access token valid for 900 s.',
        });
        expect(JSON.parse((await userText(page)) ?? 'null')).toEqual(ALICE_VIEW);
      });
    },
    ['postgres'],
  );
});
