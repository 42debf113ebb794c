import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/clock';
import { rawRequest } from '../support/http';
import { buildExample, startExampleProcess, type ExampleProcess } from '../support/example-process';

const ENV = { AUTH_SECRET_KEY: TEST_SECRET, AUTH_BCRYPT_COST: '4' };

// The example as `npm start` runs it (the built main.js), on its default SQLite file in a
// directory of the test's own.
describe('the built example process on its SQLite file', () => {
  let dir: string;
  let example: ExampleProcess | undefined;
  beforeAll(async () => {
    buildExample();
    dir = mkdtempSync(path.join(tmpdir(), 'rca-example-'));
    example = await startExampleProcess(ENV, { cwd: dir });
  }, 120_000);
  afterAll(async () => {
    await example?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps example.sqlite in WAL mode (its -wal file is beside it)', () => {
    expect(existsSync(path.join(dir, 'example.sqlite'))).toBe(true);
    expect(existsSync(path.join(dir, 'example.sqlite-wal'))).toBe(true);
  });

  it('answers a 100 kB header (refused by Node before Express) as coded JSON 431', async () => {
    if (example === undefined) throw new Error('no example');
    const res = await rawRequest(
      Number(new URL(example.url).port),
      `GET /users/me HTTP/1.1\r\nAuthorization: Bearer ${'a'.repeat(100_000)}`,
    );
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect((res.body as { code: string }).code).toBe('request_header_fields_too_large');
  });

  it('a logout survives kill -9: after the restart the token is still refused', async () => {
    if (example === undefined) throw new Error('no example');
    const login = await fetch(`${example.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', password: 'alice-password-1' }),
    });
    expect(login.status).toBe(200);
    const { access_token: kept } = (await login.json()) as { access_token: string };
    const again = await fetch(`${example.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', password: 'alice-password-1' }),
    });
    const { access_token: gone } = (await again.json()) as { access_token: string };
    const logout = await fetch(`${example.url}/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gone}` },
    });
    expect(logout.status).toBe(204);
    await example.kill(); // SIGKILL right after the answer: no shutdown, no checkpoint
    example = await startExampleProcess(ENV, { cwd: dir });
    const me = (token: string) =>
      fetch(`${example?.url}/users/me`, { headers: { authorization: `Bearer ${token}` } });
    const refused = await me(gone);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { code: string }).code).toBe('token_revoked');
    expect((await me(kept)).status).toBe(200);
  }, 60_000);
});
