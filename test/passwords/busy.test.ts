import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runtimeOfSetup } from '../../src/setup/setup-auth';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** Occupies `n` places of the app's bcrypt slots and queue until the returned function is called. */
function occupy(t: TestApp, n: number): () => Promise<void> {
  let open = (): void => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const held = Array.from({ length: n }, () =>
    t.auth.userAuthentication.passwords.limiter.run(() => gate),
  );
  return async () => {
    open();
    await Promise.all(held);
  };
}

describe('a full bcrypt queue sheds logins with 503 (pen test finding 5)', () => {
  it('answers 503 auth_busy with Retry-After, charges only the IP, and recovers', async () => {
    const t = await buildTestApp('sqlite', { passwordConcurrency: 1, passwordQueueLimit: 1 });
    apps.push(t);
    const release = occupy(t, 2); // the one slot and the one queue place
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const res = await request(t.app)
      .post('/auth/login')
      .timeout(10_000)
      .send({ email: 'alice@example.com', password: PASSWORDS.alice });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      name: 'AuthBusyError',
      code: 'auth_busy',
      message: 'The server is busy checking passwords; try again shortly.',
    });
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['cache-control']).toBe('no-store');
    // Not a credential check: alice's counters are untouched; the IP's attempt counts.
    expect(runtimeOfSetup(t.auth).throttle?.memoryEntries()).toEqual({
      ip: 1,
      pair: 0,
      account: 0,
      known: 0,
    });
    expect(t.auth.userAuthentication.passwords.stats()).toMatchObject({ queued: 1, shed: 1 });
    logged.mockRestore();
    await release();
    const after = await request(t.app)
      .post('/auth/login')
      .send({ email: 'alice@example.com', password: PASSWORDS.alice });
    expect(after.status).toBe(200);
  });
});

describe('shed attempts count against their IP only', () => {
  it('one IP that keeps the queue full is cut off by its IP limit', async () => {
    const t = await buildTestApp('sqlite', {
      passwordConcurrency: 1,
      passwordQueueLimit: 0,
      throttle: { perIp: 3 },
    });
    apps.push(t);
    const release = occupy(t, 1);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(t.app)
        .post('/auth/login')
        .send({ email: `u${i}@example.com`, password: 'wrong-password' });
      statuses.push(res.status);
    }
    logged.mockRestore();
    await release();
    expect(statuses).toEqual([503, 503, 503, 429]);
  });
});
