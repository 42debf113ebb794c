import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../support/engines';
import { bearer, expectCoded, loginPair, setCookieLines, type PairBody } from '../support/http';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';

const ALICE = { email: 'alice@example.com', password: 'alice-password-1' };
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
/** A fresh login's body: 15-minute access token, the whole 7-day session ahead. */
const PAIR_BODY = {
  access_token: expect.stringMatching(JWT) as string,
  refresh_token: expect.stringMatching(JWT) as string,
  token_type: 'bearer',
  expires_in: 900,
  refresh_expires_in: 7 * 86_400,
};

describeEngines('example app: login, tokens, sessions', (engine) => {
  let h: ExampleHarness;
  beforeAll(async () => {
    h = await startExample(engine);
  });
  afterAll(() => stopExample(h));

  describe('POST /auth/login', () => {
    it('answers 200 with a bearer pair and Cache-Control: no-store', async () => {
      const res = await request(h.app).post('/auth/login').send(ALICE);
      expect(res.status).toBe(200);
      expect(res.get('Cache-Control')).toBe('no-store');
      expect(res.body).toEqual(PAIR_BODY);
      const me = await request(h.app)
        .get('/users/me')
        .set('Authorization', bearer((res.body as PairBody).access_token));
      expect(me.status).toBe(200);
    });

    it('fails identically for an unknown user, a wrong password and an inactive user', async () => {
      const attempts = [
        { email: 'nobody@example.com', password: 'whatever-password-1' },
        { email: ALICE.email, password: 'wrong-password-1' },
        { email: 'inactive@example.com', password: 'inactive-password-1' },
      ];
      const answers = [];
      for (const body of attempts) {
        const res = await request(h.app).post('/auth/login').send(body);
        answers.push({
          status: res.status,
          body: res.body as unknown,
          challenge: res.get('WWW-Authenticate'),
        });
      }
      expect(answers[0]?.status).toBe(401);
      expectCoded(answers[0]?.body, 'invalid_credentials');
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });

    it.each([
      ['an empty object', {}],
      ['a JSON array', [ALICE]],
      ['a non-string password', { email: ALICE.email, password: 12345678 }],
      ['a non-string email', { email: [ALICE.email], password: ALICE.password }],
    ])('refuses %s with a coded 400, never a 500', async (_label, body) => {
      const res = await request(h.app).post('/auth/login').send(body);
      expect(res.status).toBe(400);
      expect(Object.keys(res.body as object).sort()).toEqual(['code', 'message', 'name']);
    });

    it('allows at least 5 failed logins for one account before throttling', async () => {
      // An account no other test logs in with, so a limiter that trips later harms nobody.
      for (let i = 0; i < 5; i += 1) {
        const res = await request(h.app)
          .post('/auth/login')
          .send({ email: 'throttle@example.com', password: `wrong-password-${i}` });
        expect(res.status).toBe(401);
      }
    });
  });

  it('POST /auth/token takes the OAuth2 password form and answers the same body', async () => {
    const res = await request(h.app)
      .post('/auth/token')
      .type('form')
      .send({ username: ALICE.email, password: ALICE.password });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(PAIR_BODY);
  });

  describe('POST /auth/refresh', () => {
    it('rotates a refresh token sent as Bearer; the old one is dead', async () => {
      const pair = await loginPair(h.app, ALICE.email, ALICE.password);
      const res = await request(h.app)
        .post('/auth/refresh')
        .set('Authorization', bearer(pair.refresh_token));
      expect(res.status).toBe(200);
      const next = res.body as PairBody;
      expect(next).toMatchObject({ token_type: 'bearer' });
      expect(next.refresh_token).not.toBe(pair.refresh_token);
      const me = await request(h.app)
        .get('/users/me')
        .set('Authorization', bearer(next.access_token));
      expect(me.status).toBe(200);

      const again = await request(h.app)
        .post('/auth/refresh')
        .set('Authorization', bearer(pair.refresh_token));
      expect(again.status).toBe(401);
      expect(again.get('WWW-Authenticate')).toMatch(/error="invalid_token"/);
    });

    it('rotates a refresh token sent as JSON { refresh_token }; the old one is dead', async () => {
      const pair = await loginPair(h.app, ALICE.email, ALICE.password);
      const res = await request(h.app)
        .post('/auth/refresh')
        .send({ refresh_token: pair.refresh_token });
      expect(res.status).toBe(200);
      expect((res.body as PairBody).refresh_token).not.toBe(pair.refresh_token);
      const again = await request(h.app)
        .post('/auth/refresh')
        .send({ refresh_token: pair.refresh_token });
      expect(again.status).toBe(401);
    });

    it('refuses an access token where a refresh token is expected', async () => {
      const pair = await loginPair(h.app, ALICE.email, ALICE.password);
      const res = await request(h.app)
        .post('/auth/refresh')
        .set('Authorization', bearer(pair.access_token));
      expect(res.status).toBe(401);
    });
  });

  it('POST /auth/logout answers 204 and kills both tokens of that session only', async () => {
    const pair = await loginPair(h.app, ALICE.email, ALICE.password);
    const other = await loginPair(h.app, ALICE.email, ALICE.password);
    const res = await request(h.app)
      .post('/auth/logout')
      .set('Authorization', bearer(pair.access_token));
    expect(res.status).toBe(204);

    const me = await request(h.app)
      .get('/users/me')
      .set('Authorization', bearer(pair.access_token));
    expect(me.status).toBe(401);
    expect(me.get('WWW-Authenticate')).toMatch(/error="invalid_token"/);
    const refresh = await request(h.app)
      .post('/auth/refresh')
      .set('Authorization', bearer(pair.refresh_token));
    expect(refresh.status).toBe(401);
    const stillLive = await request(h.app)
      .get('/users/me')
      .set('Authorization', bearer(other.access_token));
    expect(stillLive.status).toBe(200);
  });

  it('POST /auth/logout without a token is 401 with a bare Bearer challenge', async () => {
    const res = await request(h.app).post('/auth/logout');
    expect(res.status).toBe(401);
    expect(res.get('WWW-Authenticate')).toBe('Bearer');
  });

  it('POST /auth/logout-all answers 204 and kills every session of the user', async () => {
    const first = await loginPair(h.app, ALICE.email, ALICE.password);
    const second = await loginPair(h.app, ALICE.email, ALICE.password);
    const admin = await loginPair(h.app, 'admin@example.com', 'admin-password-1');
    const res = await request(h.app)
      .post('/auth/logout-all')
      .set('Authorization', bearer(first.access_token));
    expect(res.status).toBe(204);
    for (const token of [first.access_token, second.access_token]) {
      const me = await request(h.app).get('/users/me').set('Authorization', bearer(token));
      expect(me.status).toBe(401);
    }
    const refresh = await request(h.app)
      .post('/auth/refresh')
      .set('Authorization', bearer(second.refresh_token));
    expect(refresh.status).toBe(401);
    const adminMe = await request(h.app)
      .get('/users/me')
      .set('Authorization', bearer(admin.access_token));
    expect(adminMe.status).toBe(200);
  });

  it('GET /auth/sessions lists the live sessions and marks the caller’s', async () => {
    const first = await loginPair(h.app, 'admin@example.com', 'admin-password-1');
    const second = await request(h.app)
      .post('/auth/login')
      .set('User-Agent', 'example-test/1.0')
      .send({ email: 'admin@example.com', password: 'admin-password-1' });
    expect(second.status).toBe(200);
    const dead = await loginPair(h.app, 'admin@example.com', 'admin-password-1');
    await request(h.app).post('/auth/logout').set('Authorization', bearer(dead.access_token));

    const res = await request(h.app)
      .get('/auth/sessions')
      .set('Authorization', bearer(first.access_token));
    expect(res.status).toBe(200);
    const sessions = res.body as { id: string; current: boolean; [key: string]: unknown }[];
    expect(Array.isArray(sessions)).toBe(true);
    // Other tests of this file left admin sessions too; exactly one of them is the caller's.
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.every((s) => typeof s.id === 'string')).toBe(true);
    expect(JSON.stringify(sessions)).toContain('example-test/1.0');
    expect(JSON.stringify(sessions)).not.toContain(first.access_token);

    const anonymous = await request(h.app).get('/auth/sessions');
    expect(anonymous.status).toBe(401);
  });

  describe('POST /auth/cookie/login', () => {
    it('sets HttpOnly SameSite cookies and a readable CSRF cookie; the body has no token', async () => {
      const res = await request(h.app).post('/auth/cookie/login').send(ALICE);
      expect(res.status).toBe(200);
      const cookies = setCookieLines(res);
      const access = cookies.get('access_token');
      const refresh = cookies.get('refresh_token');
      const csrf = cookies.get('csrf_token');
      const jwt = '[\\w-]+\\.[\\w-]+\\.[\\w-]+';
      const expires = 'Expires=[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT';
      expect(access).toMatch(
        new RegExp(
          `^access_token=${jwt}; Max-Age=900; Path=/; ${expires}; HttpOnly; SameSite=Lax$`,
        ),
      );
      expect(refresh).toMatch(
        new RegExp(
          `^refresh_token=${jwt}; Max-Age=604800; Path=/auth; ${expires}; HttpOnly; SameSite=Lax$`,
        ),
      );
      // Readable by the page (no HttpOnly): the double-submit value.
      expect(csrf).toMatch(
        new RegExp(`^csrf_token=[\\w-]{43}; Max-Age=604800; Path=/; ${expires}; SameSite=Lax$`),
      );

      const text = JSON.stringify(res.body);
      const csrfValue = csrf?.slice(csrf.indexOf('=') + 1, csrf.indexOf(';'));
      expect(res.body).toEqual({
        expiresIn: 900,
        refreshExpiresIn: 604_800,
        csrfToken: csrfValue,
      });
      for (const line of [access, refresh]) {
        const value = line?.slice(line.indexOf('=') + 1, line.indexOf(';')) ?? '';
        expect(value).toMatch(JWT);
        expect(text).not.toContain(value);
      }
    });

    it('authenticates with the cookie and needs the CSRF header for unsafe requests', async () => {
      const agent = request.agent(h.app);
      const res = await agent.post('/auth/cookie/login').send(ALICE);
      expect(res.status).toBe(200);
      const csrfLine = setCookieLines(res).get('csrf_token') ?? '';
      const csrf = decodeURIComponent(
        csrfLine.slice(csrfLine.indexOf('=') + 1, csrfLine.indexOf(';')),
      );

      expect((await agent.get('/users/me')).status).toBe(200);
      // An unsafe request authenticated by cookie needs the CSRF cookie echoed in the header.
      const refused = await agent.post('/auth/logout');
      expect(refused.status).toBe(403);
      expectCoded(refused.body, 'csrf_failed');
      const done = await agent.post('/auth/logout').set('X-CSRF-Token', csrf);
      expect(done.status).toBe(204);
      expect((await agent.get('/users/me')).status).toBe(401);
    });
  });
});
