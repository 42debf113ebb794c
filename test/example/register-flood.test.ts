import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startExample, stopExample, TEST_OPTIONS, type ExampleHarness } from './harness';

describe('a sign-up flood cannot keep a real user from logging in (pen test II, F1)', () => {
  let h: ExampleHarness;
  beforeAll(async () => {
    h = await startExample('sqlite', {
      ...TEST_OPTIONS,
      passwordConcurrency: 1,
      passwordQueueLimit: 4,
    });
  });
  afterAll(() => stopExample(h));

  it('registrations beyond the hash lane are shed with 503; the login waits its turn and succeeds', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const signUps = Array.from({ length: 12 }, (_, i) =>
        request(h.app)
          .post('/auth/register')
          .send({ email: `flood${i}@example.com`, password: 'flood-password-1' })
          .then((r) => r.status),
      );
      // The login arrives while the sign-ups hold the slot and fill their lane.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const login = await request(h.app)
        .post('/auth/login')
        .send({ email: 'alice@example.com', password: 'alice-password-1' });
      const statuses = await Promise.all(signUps);
      expect(login.status, login.text).toBe(200);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(8);
      expect(statuses.every((s) => s === 201 || s === 503)).toBe(true);
    } finally {
      logged.mockRestore();
    }
  });
});
