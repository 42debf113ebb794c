import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notFoundHandler } from '../../src';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';
import { bearer, loginPair } from '../support/http';

const NOT_FOUND = {
  name: 'RouteNotFoundError',
  code: 'not_found',
  message: 'No route matches this method and path.',
};

// Routing does not depend on the database: SQLite is enough here.
describe('notFoundHandler: the JSON 404 of an app that mounts it last', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    t.app.use(notFoundHandler);
  });
  afterAll(() => t.close());

  it.each(['get', 'post', 'put', 'patch', 'delete'] as const)(
    '%s of an unknown path → 404 not_found as JSON, never cached',
    async (method) => {
      const res = await request(t.app)[method]('/nope');
      expect(res.status).toBe(404);
      expect(res.get('Content-Type')).toBe('application/json; charset=utf-8');
      expect(res.get('Cache-Control')).toBe('no-store');
      expect(res.body).toEqual(NOT_FOUND);
    },
  );

  it('a known path with a method it does not serve, and a malformed body, are 404 too', async () => {
    expect((await request(t.app).get('/auth/login')).body).toEqual(NOT_FOUND);
    const malformed = await request(t.app)
      .post('/auth/nope')
      .set('Content-Type', 'application/json')
      .send('{"not json');
    expect(malformed.status).toBe(404);
    expect(malformed.body).toEqual(NOT_FOUND);
  });

  it('answered routes keep their answers: 200, 204 and coded errors', async () => {
    const pair = await loginPair(t.app, 'alice@example.com', PASSWORDS.alice);
    const me = await request(t.app).get('/t/me').set('Authorization', bearer(pair.access_token));
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: t.users.alice.id, email: 'alice@example.com' });
    const logout = await request(t.app)
      .post('/auth/logout')
      .set('Authorization', bearer(pair.access_token));
    expect(logout.status).toBe(204);
    expect(logout.text).toBe('');
    const after = await request(t.app).get('/t/me').set('Authorization', bearer(pair.access_token));
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: 'token_revoked' });
  });
});
