import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../support/engines';
import { bearer, loginPair, setCookieLines } from '../support/http';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';

type Operation = OpenAPIV3.OperationObject;
type Response = OpenAPIV3.ResponseObject;

const ERROR_REF = { $ref: '#/components/schemas/AuthErrorBody' };
const ACCESS = [{ bearer: [] }, { oauth2: [] }, { accessCookie: [] }];
// routing-controllers-openapi copies path-to-regexp's default segment pattern.
const ID_PARAM = {
  in: 'path',
  name: 'id',
  required: true,
  schema: { type: 'string', pattern: '[^\\/#\\?]+?' },
};
const CSRF_PARAM = {
  name: 'x-csrf-token',
  in: 'header',
  required: false,
  description:
    'The CSRF token (the readable CSRF cookie, or `csrfToken` of the cookie login): required when a cookie authenticates this call, not with a Bearer token.',
  schema: { type: 'string' },
};

describeEngines('example: GET /openapi.json and GET /docs', (engine) => {
  let h: ExampleHarness;
  let doc: OpenAPIV3.Document;
  beforeAll(async () => {
    h = await startExample(engine);
    const res = await request(h.app).get('/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body as OpenAPIV3.Document;
  });
  afterAll(() => stopExample(h));

  function op(method: 'get' | 'post' | 'delete', path: string): Operation {
    const found = doc.paths[path]?.[method];
    if (found === undefined) throw new Error(`no ${method} ${path} in the document`);
    return found;
  }
  function response(operation: Operation, status: string): Response {
    return operation.responses[status] as Response;
  }

  describe('the document', () => {
    it('is served as JSON without credentials', async () => {
      const res = await request(h.app).get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.get('Content-Type')).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual(doc);
    });

    it('is a valid OpenAPI 3 document (swagger-parser)', async () => {
      const api = await SwaggerParser.validate(structuredClone(doc) as never);
      expect((api as OpenAPIV3.Document).openapi).toBe('3.0.0');
    });

    it('has the bearer, OAuth2 password and cookie security schemes, under the configured names', () => {
      expect(doc.components?.securitySchemes).toEqual({
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token (a refresh token on the refresh routes) as `Authorization: Bearer <token>`.',
        },
        oauth2: {
          type: 'oauth2',
          description: 'The OAuth 2.0 password grant: username and password for a bearer token.',
          flows: { password: { tokenUrl: '/auth/token', scopes: {} } },
        },
        accessCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'access_token',
          description:
            'The HttpOnly access cookie a cookie login sets; unsafe methods also need the `x-csrf-token` header.',
        },
        refreshCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'refresh_token',
          description:
            'The HttpOnly refresh cookie (path `/auth`); unsafe methods also need the `x-csrf-token` header.',
        },
      });
    });

    it('GET /users/me: bearer, OAuth2 or cookie; 401 with the error body; no 403 (no role)', () => {
      const me = op('get', '/users/me');
      expect(me.security).toEqual(ACCESS);
      const unauthorized = response(me, '401');
      expect(unauthorized.content).toEqual({ 'application/json': { schema: ERROR_REF } });
      expect(unauthorized.headers).toEqual({
        'WWW-Authenticate': {
          description: 'The Bearer challenge (RFC 6750 §3).',
          schema: { type: 'string' },
        },
      });
      expect(Object.keys(me.responses).sort()).toEqual(['200', '400', '401', '503']);
      expect(me.parameters).toBe(undefined);
    });

    it('the error schema is exactly { name, code, message }', () => {
      expect(doc.components?.schemas?.AuthErrorBody).toEqual({
        type: 'object',
        description: 'Every error of the library: a stable `code` to switch on, and nothing else.',
        required: ['name', 'code', 'message'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', example: 'MissingCredentialsError' },
          code: { type: 'string', example: 'missing_credentials' },
          message: { type: 'string', example: 'Authentication is required.' },
        },
      });
    });

    it('GET /admin/users: 403 naming role admin, x-required-roles', () => {
      const list = op('get', '/admin/users');
      expect(list.security).toEqual(ACCESS);
      expect(list).toMatchObject({ 'x-required-roles': ['admin'] });
      expect(response(list, '403')).toEqual({
        description:
          'The caller lacks what the route demands: one of the roles admin. Codes: `insufficient_scope`.',
        content: { 'application/json': { schema: ERROR_REF } },
      });
      expect(response(list, '401').content).toEqual({ 'application/json': { schema: ERROR_REF } });
    });

    it('DELETE /admin/users/{id}: x-required-permissions, the CSRF header, 403 for both', () => {
      const remove = op('delete', '/admin/users/{id}');
      expect(remove.security).toEqual(ACCESS);
      expect(remove).toMatchObject({ 'x-required-permissions': ['users:delete'] });
      expect(remove).not.toHaveProperty('x-required-roles');
      expect(remove.parameters).toEqual([ID_PARAM, CSRF_PARAM]);
      expect(response(remove, '403').description).toBe(
        'The caller lacks what the route demands: the permissions users:delete. A cookie-authenticated call without the matching CSRF header, or from another site. Codes: `insufficient_scope`, `csrf_failed`.',
      );
      // routing-controllers-openapi guesses 200; @OnUndefined(204) adds what the route answers.
      expect(response(remove, '204')).toEqual({ description: 'No content.' });
    });

    it('POST /auth/login: public (security: []), throttled (429 with Retry-After), its body', () => {
      const loginOp = op('post', '/auth/login');
      expect(loginOp.security).toEqual([]);
      expect(response(loginOp, '429')).toEqual({
        description:
          'Too many failed logins for this account or address. Codes: `too_many_requests`.',
        headers: {
          'Retry-After': {
            description: 'Seconds to wait.',
            schema: { type: 'integer', minimum: 0 },
          },
        },
        content: { 'application/json': { schema: ERROR_REF } },
      });
      expect(loginOp.requestBody).toEqual({
        required: true,
        content: {
          'application/json': { schema: { $ref: '#/components/schemas/AuthLoginRequest' } },
        },
      });
      expect(response(loginOp, '200').content).toEqual({
        'application/json': { schema: { $ref: '#/components/schemas/AuthTokenResponse' } },
      });
      expect(loginOp.parameters).toBe(undefined);
    });

    it('the other login routes are public and throttled too; /health is public', () => {
      for (const path of ['/auth/token', '/auth/cookie/login']) {
        expect(op('post', path).security).toEqual([]);
        expect(Object.keys(op('post', path).responses).sort()).toEqual([
          '200',
          '400',
          '401',
          '429',
          '503',
        ]);
      }
      expect(op('post', '/auth/token').requestBody).toEqual({
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: { $ref: '#/components/schemas/AuthPasswordGrantRequest' },
          },
        },
      });
      expect(op('get', '/health').security).toEqual([]);
      expect(op('post', '/auth/register').security).toEqual([]);
    });

    it('cookie-authenticated unsafe operations carry the CSRF header; safe ones and public ones do not', () => {
      for (const path of [
        '/auth/logout',
        '/auth/logout-all',
        '/auth/refresh',
        '/auth/cookie/refresh',
      ]) {
        expect(op('post', path).parameters).toEqual([CSRF_PARAM]);
        expect(response(op('post', path), '403').description).toBe(
          'A cookie-authenticated call without the matching CSRF header, or from another site. Codes: `csrf_failed`.',
        );
      }
      expect(op('delete', '/auth/sessions/{id}').parameters).toEqual([ID_PARAM, CSRF_PARAM]);
      expect(op('get', '/auth/sessions').parameters).toBe(undefined);
      expect(op('post', '/auth/cookie/login').parameters).toBe(undefined);
    });

    it('refresh takes the refresh token as Bearer, its cookie or the body; logout any of the session’s tokens', () => {
      expect(op('post', '/auth/refresh').security).toEqual([
        { bearer: [] },
        { refreshCookie: [] },
        {},
      ]);
      expect(op('post', '/auth/logout').security).toEqual([...ACCESS, { refreshCookie: [] }, {}]);
      expect(Object.keys(op('post', '/auth/logout').responses).sort()).toEqual([
        '204',
        '400',
        '401',
        '403',
        '503',
      ]);
    });

    it("the library's bodies: camelCase sessions, the cookie login, the OAuth wire pair", () => {
      const schemas = doc.components?.schemas ?? {};
      const keys = (name: string): string[] =>
        Object.keys((schemas[name] as OpenAPIV3.SchemaObject).properties ?? {});
      expect(keys('AuthSessionView')).toEqual([
        'id',
        'createdAt',
        'lastUsedAt',
        'expiresAt',
        'userAgent',
        'ip',
        'current',
      ]);
      expect(keys('AuthCookieLoginView')).toEqual(['expiresIn', 'refreshExpiresIn', 'csrfToken']);
      expect(keys('AuthTokenResponse')).toEqual([
        'access_token',
        'refresh_token',
        'token_type',
        'expires_in',
        'refresh_expires_in',
      ]);
      expect(response(op('get', '/auth/sessions'), '200').content).toEqual({
        'application/json': {
          schema: { type: 'array', items: { $ref: '#/components/schemas/AuthSessionView' } },
        },
      });
    });

    it("a @Body() DTO's class-validator schema reaches the document (decorator metadata survives)", () => {
      expect(doc.components?.schemas?.RegisterBody).toEqual({
        type: 'object',
        properties: {
          // The address check of pen test III (no control characters, line separators or quotes).
          email: {
            type: 'string',
            format: 'email',
            maxLength: 320,
            pattern: '^[^\\p{Cc}\\u2028\\u2029"]*$',
          },
          password: { type: 'string', minLength: 8 },
        },
        required: ['email', 'password'],
      });
      // A route parameter's reflected type (design:paramtypes) reaches the document too.
      expect(op('delete', '/admin/users/{id}').parameters?.[0]).toEqual({
        in: 'path',
        name: 'id',
        required: true,
        schema: { pattern: '[^\\/#\\?]+?', type: 'string' },
      });
    });
  });

  describe('the document matches what the routes answer', () => {
    it('the bodies of login, sessions and cookie login have exactly the documented keys', async () => {
      const pair = await loginPair(h.app, 'alice@example.com', 'alice-password-1');
      const schemas = doc.components?.schemas ?? {};
      const required = (name: string): string[] =>
        [...((schemas[name] as OpenAPIV3.SchemaObject).required ?? [])].sort();
      expect(Object.keys(pair).sort()).toEqual(required('AuthTokenResponse'));
      const sessions = await request(h.app)
        .get('/auth/sessions')
        .set('Authorization', bearer(pair.access_token));
      expect(sessions.status).toBe(200);
      const first = (sessions.body as Record<string, unknown>[])[0] ?? {};
      expect(Object.keys(first).sort()).toEqual(required('AuthSessionView'));
      const cookie = await request(h.app)
        .post('/auth/cookie/login')
        .send({ email: 'alice@example.com', password: 'alice-password-1' });
      expect(cookie.status).toBe(200);
      expect(Object.keys(cookie.body as object).sort()).toEqual(required('AuthCookieLoginView'));
    });

    it("Swagger UI's Authorize: the password form on the tokenUrl gives a bearer token for /users/me", async () => {
      const flows = (doc.components?.securitySchemes?.oauth2 as OpenAPIV3.OAuth2SecurityScheme)
        .flows;
      const tokenUrl = flows.password?.tokenUrl ?? '';
      const res = await request(h.app)
        .post(tokenUrl)
        .type('form')
        .set('Accept', 'application/json, text/plain, */*')
        .send({
          grant_type: 'password',
          username: 'alice@example.com',
          password: 'alice-password-1',
        });
      expect(res.status).toBe(200);
      const body = res.body as { token_type: string; access_token: string };
      expect(body.token_type).toBe('bearer');
      const me = await request(h.app)
        .get('/users/me')
        .set('Authorization', bearer(body.access_token));
      expect(me.status).toBe(200);
      expect((me.body as { email: string }).email).toBe('alice@example.com');
    });

    it('the documented CSRF header is the one a cookie-authenticated unsafe call needs', async () => {
      const loginRes = await request(h.app)
        .post('/auth/cookie/login')
        .send({ email: 'alice@example.com', password: 'alice-password-1' });
      const cookies = setCookieLines(loginRes);
      const cookie = [...cookies.values()].map((line) => line.split(';')[0]).join('; ');
      const csrf = (loginRes.body as { csrfToken: string }).csrfToken;
      const without = await request(h.app).post('/auth/logout-all').set('Cookie', cookie);
      expect(without.status).toBe(403);
      expect((without.body as { code: string }).code).toBe('csrf_failed');
      const withHeader = await request(h.app)
        .post('/auth/logout-all')
        .set('Cookie', cookie)
        .set(CSRF_PARAM.name, csrf);
      expect(withHeader.status).toBe(204);
    });
  });

  describe('GET /docs', () => {
    it('answers an HTML page that points Swagger UI at /openapi.json, without credentials', async () => {
      const res = await request(h.app).get('/docs');
      expect(res.status).toBe(200);
      expect(res.get('Content-Type')).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('<div id="swagger-ui" data-url="/openapi.json"></div>');
      expect(res.text).not.toMatch(/https?:\/\//);
    });

    it('every script and stylesheet the page loads is served from this app', async () => {
      const page = (await request(h.app).get('/docs')).text;
      const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
      expect(assets).toEqual([
        '/docs/swagger-ui.css',
        '/docs/swagger-ui-bundle.js',
        '/docs/init.js',
      ]);
      const types: Record<string, string> = {
        '/docs/swagger-ui.css': 'text/css; charset=utf-8',
        '/docs/swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
        '/docs/init.js': 'text/javascript; charset=utf-8',
      };
      for (const asset of assets) {
        const res = await request(h.app).get(asset ?? '');
        expect({ asset, status: res.status, type: res.get('Content-Type') }).toEqual({
          asset,
          status: 200,
          type: types[asset ?? ''],
        });
      }
      const init = await request(h.app).get('/docs/init.js');
      expect(init.text).toContain("url: document.getElementById('swagger-ui').dataset.url");
    });

    it("only the page's own files are served: not the Petstore page, package.json or source maps", async () => {
      for (const path of [
        '/docs/index.html',
        '/docs/package.json',
        '/docs/swagger-ui-bundle.js.map',
        '/docs/swagger-initializer.js',
      ]) {
        const res = await request(h.app).get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
      const page = await request(h.app).get('/docs');
      expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(page.headers['x-content-type-options']).toBe('nosniff');
    });

    it('an unknown file under /docs is the coded JSON 404, not a directory listing', async () => {
      const res = await request(h.app).get('/docs/no-such-file.js');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        name: 'RouteNotFoundError',
        code: 'not_found',
        message: expect.any(String) as string,
      });
    });
  });
});
