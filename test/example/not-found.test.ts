import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, loginPair } from '../support/http';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';

const NOT_FOUND = {
  name: 'RouteNotFoundError',
  code: 'not_found',
  message: 'No route matches this method and path.',
};

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options';
const METHODS: Method[] = ['get', 'post', 'put', 'patch', 'delete', 'options'];

// Routing does not depend on the database: SQLite is enough here.
describe('example app: unknown routes answer a coded JSON 404', () => {
  let h: ExampleHarness;
  beforeAll(async () => {
    h = await startExample('sqlite');
  });
  afterAll(() => stopExample(h));

  const paths = ['/nope', '/auth/nope', '/users/me/extra', '/admin', '/health/deep', '/%E2%82'];
  it.each(METHODS.flatMap((method) => paths.map((path) => [method, path] as const)))(
    '%s %s → 404 not_found as JSON',
    async (method, path) => {
      const res = await request(h.app)[method](path);
      expect(res.status).toBe(404);
      expect(res.get('Content-Type')).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual(NOT_FOUND);
    },
  );

  it.each<[Method, string]>([
    ['put', '/auth/login'],
    ['get', '/auth/login'],
    ['delete', '/health'],
    ['patch', '/admin/users'],
  ])(
    'a known path with a method it does not serve (%s %s) → 404 not_found',
    async (method, path) => {
      const res = await request(h.app)[method](path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    },
  );

  it('HEAD of an unknown path → 404 with no body', async () => {
    const res = await request(h.app).head('/nope');
    expect(res.status).toBe(404);
    expect(res.text).toBe(undefined);
  });

  it('an unknown route is 404 whatever it carries: a token, a malformed JSON body', async () => {
    const pair = await loginPair(h.app, 'alice@example.com', 'alice-password-1');
    const withToken = await request(h.app)
      .post('/users/nope')
      .set('Authorization', bearer(pair.access_token));
    expect(withToken.status).toBe(404);
    expect(withToken.body).toEqual(NOT_FOUND);
    const malformed = await request(h.app)
      .post('/nope')
      .set('Content-Type', 'application/json')
      .send('{"not json');
    expect(malformed.status).toBe(404);
    expect(malformed.body).toEqual(NOT_FOUND);
  });

  it('answered routes are left alone: 200, 204 and the library errors keep their bodies', async () => {
    const health = await request(h.app).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const pair = await loginPair(h.app, 'alice@example.com', 'alice-password-1');
    const logout = await request(h.app)
      .post('/auth/logout')
      .set('Authorization', bearer(pair.access_token));
    expect(logout.status).toBe(204);
    expect(logout.text).toBe('');
    const me = await request(h.app).get('/users/me');
    expect(me.status).toBe(401);
    expect(me.body).toEqual({
      name: 'MissingCredentialsError',
      code: 'missing_credentials',
      message: 'Authentication is required.',
    });
  });
});
