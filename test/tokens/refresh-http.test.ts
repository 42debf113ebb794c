import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { PASSWORDS } from '../support/app';
import {
  expectError,
  loginPair,
  me,
  refreshByBearer,
  useTestApp,
  type PairBody,
} from '../support/http';

const ALICE = { email: 'alice@example.com', password: PASSWORDS.alice };
const INVALID = 'Bearer error="invalid_token"';

describe('refresh over HTTP: the wire stays OAuth, the engine bounds it', () => {
  describe('wire format', () => {
    const t = useTestApp();
    it('login and refresh answer the snake_case pair, in the same key order as before', async () => {
      const login = await request(t().app).post('/auth/login').send(ALICE);
      expect(login.status).toBe(200);
      expect(Object.keys(login.body as object)).toEqual([
        'access_token',
        'refresh_token',
        'token_type',
        'expires_in',
        'refresh_expires_in',
      ]);
      const { refresh_token } = login.body as PairBody;
      const next = await refreshByBearer(t().app, refresh_token);
      expect(next.status).toBe(200);
      expect(Object.keys(next.body as object)).toEqual(Object.keys(login.body as object));
      expect((next.body as PairBody).token_type).toBe('bearer');
    });
  });

  describe('refreshRateLimit', () => {
    const t = useTestApp({ refreshRateLimit: 2 });
    it('the third refresh of a session in a minute is 429 too_many_requests with Retry-After', async () => {
      let refresh = (await loginPair(t().app, ALICE.email, ALICE.password)).refresh_token;
      for (let i = 0; i < 2; i++) {
        t().clock.advance(10_000);
        const res = await refreshByBearer(t().app, refresh);
        expect(res.status).toBe(200);
        refresh = (res.body as PairBody).refresh_token;
      }
      t().clock.advance(10_000);
      const refused = await refreshByBearer(t().app, refresh);
      expectError(refused, 429, 'too_many_requests');
      // The window opened at the first refresh, 20 s earlier.
      expect(refused.headers['retry-after']).toBe('40');
      t().clock.advance(40_000);
      const again = await refreshByBearer(t().app, refresh);
      expect(again.status).toBe(200);
    });
  });

  describe('refreshReuseGraceSeconds', () => {
    const t = useTestApp({ refreshReuseGraceSeconds: 5 });
    it('two concurrent refreshes with one token both get the same pair; a late replay is reuse', async () => {
      const { refresh_token } = await loginPair(t().app, ALICE.email, ALICE.password);
      const send = () => refreshByBearer(t().app, refresh_token);
      const [a, b] = await Promise.all([send(), send()]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(b.body).toEqual(a.body);
      const pair = a.body as PairBody;
      expect((await me(t().app, pair.access_token)).status).toBe(200);
      t().clock.advance(5_001);
      expectError(await send(), 401, 'refresh_token_reused', INVALID);
      expectError(await me(t().app, pair.access_token), 401, 'token_revoked', INVALID);
    });
  });
});
