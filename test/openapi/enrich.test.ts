import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import {
  Authorized,
  CurrentUser as RcCurrentUser,
  Get,
  getMetadataArgsStorage,
  JsonController,
  Post,
} from 'routing-controllers';
import { OpenAPI, routingControllersToSpec } from 'routing-controllers-openapi';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessToken,
  CurrentUser,
  enrichOpenApi,
  permission,
  RefreshToken,
  resolveAuthConfig,
  type AccessClaims,
  type AuthOptions,
  type RefreshClaims,
} from '../../src';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';
import { TEST_SECRET } from '../support/clock';
import { describeEngines } from '../support/engines';
import { bearer } from '../support/http';
import type { TestUser } from '../support/users';

// Routes beside test/support/app.ts's ProbeController, for the cases it does not have.
@JsonController('/fixture')
export class FixtureController {
  @Get('/open')
  open() {
    return {};
  }

  @Get('/own-security')
  @OpenAPI({ security: [{ partnerKey: [] }] })
  ownSecurity() {
    return {};
  }

  @Get('/rc-required')
  rcRequired(@RcCurrentUser({ required: true }) user: TestUser) {
    return { id: user.id };
  }

  @Get('/rc-optional')
  rcOptional(@RcCurrentUser() user: TestUser | undefined) {
    return { id: user?.id ?? null };
  }

  @Authorized(['admin'])
  @Get('/two-role-lists')
  twoRoleLists(@CurrentUser(['editor']) user: TestUser) {
    return { id: user.id };
  }

  @Post('/both-tokens')
  bothTokens(@AccessToken() access: AccessClaims, @RefreshToken() refresh: RefreshClaims) {
    return { same: access.sid === refresh.sid };
  }

  @Authorized()
  @Get('/renamed')
  @OpenAPI({ operationId: 'renamedByUser' })
  renamed() {
    return {};
  }
}

@Authorized(['admin'])
@JsonController('/class-guarded')
export class ClassGuardedController {
  @Get('/plain')
  plain() {
    return {};
  }

  @Authorized([permission('audit:read')])
  @Get('/audit')
  audit() {
    return {};
  }
}

const ACCESS = [{ bearer: [] }, { oauth2: [] }, { accessCookie: [] }];
const INFO = { info: { title: 'probe', version: '1.0.0' } };

function config(options: AuthOptions = {}) {
  return resolveAuthConfig(
    { secretKey: TEST_SECRET, bcryptCost: 4, ...options },
    { NODE_ENV: 'test' },
  );
}

function specOf(routePrefix?: string): OpenAPIV3.Document {
  const options = routePrefix === undefined ? {} : { routePrefix };
  return routingControllersToSpec(getMetadataArgsStorage(), options, INFO) as OpenAPIV3.Document;
}

function op(doc: OpenAPIV3.Document, method: 'get' | 'post' | 'delete', path: string) {
  const found = doc.paths[path]?.[method];
  if (found === undefined) throw new Error(`no ${method} ${path}`);
  return found as OpenAPIV3.OperationObject & Record<`x-${string}`, unknown>;
}

function codesOf(operation: OpenAPIV3.OperationObject, status: string): string[] {
  const response = operation.responses[status] as OpenAPIV3.ResponseObject | undefined;
  return [...(response?.description ?? '').matchAll(/`([a-z_]+)`/g)].map((match) => match[1] ?? '');
}

describe('enrichOpenApi on the probe routes (default configuration)', () => {
  const doc = enrichOpenApi(specOf(), { config: config() });

  it('is valid OpenAPI 3 (and the validator does refuse a broken document)', async () => {
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toMatchObject({
      openapi: '3.0.0',
    });
    const broken = structuredClone(doc) as unknown as Record<string, unknown>;
    delete broken.info;
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow(/info/);
  });

  it.each([
    ['get', '/t/me', ACCESS, {}],
    ['get', '/t/optional', [...ACCESS, {}], {}],
    ['get', '/t/moderator', ACCESS, { 'x-required-roles': ['moderator'] }],
    ['get', '/t/verified', ACCESS, { 'x-required-verified': true }],
    ['get', '/t/claims', ACCESS, {}],
    ['post', '/t/refresh-claims', [{ bearer: [] }, { refreshCookie: [] }, {}], {}],
    ['get', '/t/any', ACCESS, {}],
    ['get', '/t/admin', ACCESS, { 'x-required-roles': ['admin'] }],
    ['delete', '/t/users/{id}', ACCESS, { 'x-required-permissions': ['users:delete'] }],
    [
      'get',
      '/t/reports',
      ACCESS,
      { 'x-required-roles': ['user'], 'x-required-permissions': ['reports:read'] },
    ],
    ['post', '/t/verified-action', ACCESS, { 'x-required-verified': true }],
    // @Authorized(['user']) and @CurrentUser(['user']) twice: one role list.
    ['get', '/t/all-at-once', ACCESS, { 'x-required-roles': ['user'] }],
    ['post', '/t/write', ACCESS, {}],
    ['get', '/fixture/rc-required', ACCESS, {}],
    ['get', '/fixture/rc-optional', [...ACCESS, {}], {}],
    ['get', '/fixture/two-role-lists', ACCESS, { 'x-required-roles': ['admin', 'editor'] }],
    ['get', '/class-guarded/plain', ACCESS, { 'x-required-roles': ['admin'] }],
    [
      'get',
      '/class-guarded/audit',
      ACCESS,
      { 'x-required-roles': ['admin'], 'x-required-permissions': ['audit:read'] },
    ],
  ] as const)('%s %s: security %j, extensions %j', (method, path, security, extensions) => {
    const operation = op(doc, method, path);
    expect(operation.security).toEqual(security);
    const own = Object.fromEntries(
      Object.entries(operation).filter(([key]) => key.startsWith('x-')),
    );
    expect(own).toEqual(extensions);
    expect(codesOf(operation, '401')).toEqual([
      'missing_credentials',
      'invalid_token',
      'token_expired',
      'token_revoked',
      'refresh_token_reused',
      'wrong_token_type',
      'user_inactive',
    ]);
    const unsafe = method !== 'get';
    const scoped = Object.keys(extensions).length > 0;
    expect(codesOf(operation, '403')).toEqual([
      ...(scoped ? ['insufficient_scope'] : []),
      ...(unsafe ? ['csrf_failed'] : []),
    ]);
    const headers = (operation.parameters ?? []).filter(
      (param) => (param as OpenAPIV3.ParameterObject).in === 'header',
    );
    expect(headers.map((param) => (param as OpenAPIV3.ParameterObject).name)).toEqual(
      unsafe ? ['x-csrf-token'] : [],
    );
  });

  it('names every role list in the 403 when two guards each demand one', () => {
    expect(
      (op(doc, 'get', '/fixture/two-role-lists').responses['403'] as OpenAPIV3.ResponseObject)
        .description,
    ).toBe(
      'The caller lacks what the route demands: one of the roles admin; one of the roles editor. Codes: `insufficient_scope`.',
    );
  });

  it('an access and a refresh token together: every way to send both, one in the header at most', () => {
    expect(op(doc, 'post', '/fixture/both-tokens').security).toEqual([
      { bearer: [], refreshCookie: [] },
      { bearer: [] },
      { oauth2: [], refreshCookie: [] },
      { oauth2: [] },
      { accessCookie: [], bearer: [] },
      { accessCookie: [], refreshCookie: [] },
      { accessCookie: [] },
    ]);
  });

  it('unguarded operations get security: [], one with its own security keeps it', () => {
    expect(op(doc, 'get', '/fixture/open').security).toEqual([]);
    expect(op(doc, 'get', '/fixture/own-security').security).toEqual([{ partnerKey: [] }]);
    expect(op(doc, 'get', '/fixture/open').responses).toEqual({
      '200': { content: { 'application/json': {} }, description: 'Successful response' },
    });
  });

  it('an operation whose operationId was renamed is found by its path', () => {
    expect(op(doc, 'get', '/fixture/renamed')).toMatchObject({
      operationId: 'renamedByUser',
      security: ACCESS,
    });
  });
});

describe('enrichOpenApi options and configuration', () => {
  it('with unguarded: "unchanged", unguarded operations are left alone', () => {
    const doc = enrichOpenApi(specOf(), { config: config(), unguarded: 'unchanged' });
    expect(op(doc, 'get', '/fixture/open')).not.toHaveProperty('security');
    expect(op(doc, 'post', '/auth/login').security).toEqual([]);
    expect(op(doc, 'get', '/t/me').security).toEqual(ACCESS);
  });

  it('under a routePrefix: renamed operations are found once the prefix is given', () => {
    const without = enrichOpenApi(specOf('/api'), { config: config() });
    expect(op(without, 'get', '/api/fixture/renamed')).not.toHaveProperty('security');
    expect(op(without, 'get', '/api/t/me').security).toEqual(ACCESS);
    expect(without.components?.securitySchemes?.oauth2).toMatchObject({
      flows: { password: { tokenUrl: '/api/auth/token', scopes: {} } },
    });
    const withPrefix = enrichOpenApi(specOf('/api'), { config: config(), routePrefix: '/api' });
    expect(op(withPrefix, 'get', '/api/fixture/renamed').security).toEqual(ACCESS);
  });

  it('header only: bearer and OAuth2, no cookie scheme, no CSRF header', () => {
    const doc = enrichOpenApi(specOf(), { config: config({ tokenLocation: ['header'] }) });
    expect(Object.keys(doc.components?.securitySchemes ?? {})).toEqual(['bearer', 'oauth2']);
    expect(op(doc, 'get', '/t/me').security).toEqual([{ bearer: [] }, { oauth2: [] }]);
    expect(op(doc, 'post', '/t/write').parameters).toBe(undefined);
    expect(op(doc, 'post', '/t/write').responses['403']).toBe(undefined);
    expect(op(doc, 'post', '/auth/refresh').security).toEqual([{ bearer: [] }, {}]);
  });

  it('cookies only, with the __Host- prefix and another CSRF header: the configured names', () => {
    const doc = enrichOpenApi(specOf(), {
      config: config({
        tokenLocation: ['cookie'],
        cookies: { hostPrefix: true, accessTokenName: 'app_at' },
        csrf: { headerName: 'X-App-CSRF' },
      }),
    });
    expect(doc.components?.securitySchemes).toEqual({
      accessCookie: {
        type: 'apiKey',
        in: 'cookie',
        name: '__Host-app_at',
        description:
          'The HttpOnly access cookie a cookie login sets; unsafe methods also need the `x-app-csrf` header.',
      },
      refreshCookie: {
        type: 'apiKey',
        in: 'cookie',
        name: '__Secure-refresh_token',
        description:
          'The HttpOnly refresh cookie (path `/auth`); unsafe methods also need the `x-app-csrf` header.',
      },
    });
    expect(op(doc, 'get', '/t/me').security).toEqual([{ accessCookie: [] }]);
    expect(
      (op(doc, 'post', '/t/write').parameters ?? []).map(
        (p) => (p as OpenAPIV3.ParameterObject).name,
      ),
    ).toEqual(['x-app-csrf']);
  });

  it('throttle off: the login routes document no 429', () => {
    const doc = enrichOpenApi(specOf(), { config: config({ throttle: false }) });
    expect(Object.keys(op(doc, 'post', '/auth/login').responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '503',
    ]);
  });

  it('requireVerified: every access-token guard documents the 403 for an unverified user', () => {
    const doc = enrichOpenApi(specOf(), { config: config({ requireVerified: true }) });
    expect(op(doc, 'get', '/t/me')['x-required-verified']).toBe(true);
    expect(codesOf(op(doc, 'get', '/t/claims'), '403')).toEqual(['insufficient_scope']);
    // A refresh token is not checked for it.
    expect(op(doc, 'post', '/t/refresh-claims')).not.toHaveProperty('x-required-verified');
  });

  it('a tokenUrl option replaces the one found in the document', () => {
    const doc = enrichOpenApi(specOf(), {
      config: config(),
      tokenUrl: 'https://id.example.com/token',
    });
    expect(doc.components?.securitySchemes?.oauth2).toMatchObject({
      flows: { password: { tokenUrl: 'https://id.example.com/token', scopes: {} } },
    });
  });

  it('OpenAPI 3.1: nullable fields as type arrays, and the document still validates', async () => {
    const spec = { ...specOf(), openapi: '3.1.0' };
    const doc = enrichOpenApi(spec, { config: config() });
    const session = doc.components?.schemas?.AuthSessionView as OpenAPIV3.SchemaObject;
    expect(session.properties?.ip).toEqual({
      type: ['string', 'null'],
      description: 'Client IP given at login.',
    });
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toMatchObject({
      openapi: '3.1.0',
    });
  });

  it('does not change its input, and enriching twice gives the same document', () => {
    const spec = specOf();
    const before = structuredClone(spec);
    const once = enrichOpenApi(spec, { config: config() });
    expect(spec).toEqual(before);
    expect(enrichOpenApi(once, { config: config() })).toEqual(once);
  });

  it('refuses what is not an OpenAPI 3 document', () => {
    expect(() => enrichOpenApi({ swagger: '2.0' } as never, { config: config() })).toThrow(
      new TypeError('enrichOpenApi needs an OpenAPI 3 document (openapi: "3.x").'),
    );
  });

  it('refuses to overwrite a schema of the same name that differs', () => {
    const spec = specOf();
    spec.components = { schemas: { AuthErrorBody: { type: 'string' } } };
    expect(() => enrichOpenApi(spec, { config: config() })).toThrow(
      new TypeError(
        'enrichOpenApi: components.schemas.AuthErrorBody already exists and differs from the one routing-controllers-auth adds; rename yours.',
      ),
    );
  });
});

describeEngines('the enriched document agrees with what the probe routes answer', (engine) => {
  let t: TestApp;
  let doc: OpenAPIV3.Document;
  beforeAll(async () => {
    t = await buildTestApp(engine);
    doc = enrichOpenApi(specOf(), { config: t.auth.config });
  });
  afterAll(() => t.close());

  /** The probe's access-token operations (ProbeController, mounted in the test app). */
  function probeOperations(): { method: 'get' | 'post' | 'delete'; path: string; url: string }[] {
    const found: { method: 'get' | 'post' | 'delete'; path: string; url: string }[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      if (!path.startsWith('/t/')) continue;
      for (const method of ['get', 'post', 'delete'] as const) {
        const operation = item?.[method];
        if (operation?.security?.some((alt) => 'accessCookie' in alt) === true) {
          found.push({ method, path, url: path.replace('{id}', '1') });
        }
      }
    }
    return found;
  }

  it('without a token: 401 exactly where the security has no anonymous alternative', async () => {
    const seen: Record<string, number> = {};
    const expected: Record<string, number> = {};
    for (const { method, path, url } of probeOperations()) {
      const res = await request(t.app)[method](url);
      seen[`${method} ${path}`] = res.status === 401 ? 401 : 200;
      const anonymous = op(doc, method, path).security?.some(
        (alt) => Object.keys(alt).length === 0,
      );
      expected[`${method} ${path}`] = anonymous === true ? 200 : 401;
    }
    expect(Object.keys(seen).length).toBe(12);
    expect(seen).toEqual(expected);
  });

  // What each test user lacks (roles, permissions, verification) on the probed routes.
  const REFUSED = {
    alice: [
      'delete /t/users/{id}',
      'get /t/admin',
      'get /t/moderator',
      'get /t/reports',
      'get /t/verified',
      'post /t/verified-action',
    ],
    admin: ['get /t/reports', 'get /t/verified', 'post /t/verified-action'],
    mod: [
      'delete /t/users/{id}',
      'get /t/admin',
      'get /t/reports',
      'get /t/verified',
      'post /t/verified-action',
    ],
    verified: ['delete /t/users/{id}', 'get /t/admin', 'get /t/moderator'],
    ops: [
      'get /t/admin',
      'get /t/all-at-once',
      'get /t/moderator',
      'get /t/reports',
      'get /t/verified',
      'post /t/verified-action',
    ],
  } as const;

  it.each(['alice', 'admin', 'mod', 'verified', 'ops'] as const)(
    'as %s: every 403 the routes answer is documented as insufficient_scope',
    async (name) => {
      const pair = await request(t.app)
        .post('/auth/login')
        .send({ email: `${name}@example.com`, password: PASSWORDS[name] });
      expect(pair.status).toBe(200);
      const token = (pair.body as { access_token: string }).access_token;
      const refused: string[] = [];
      const documented: string[] = [];
      for (const { method, path, url } of probeOperations()) {
        const res = await request(t.app)[method](url).set('Authorization', bearer(token));
        expect([200, 403]).toContain(res.status);
        if (res.status === 403) refused.push(`${method} ${path}`);
        if (codesOf(op(doc, method, path), '403').includes('insufficient_scope')) {
          documented.push(`${method} ${path}`);
        }
      }
      expect(refused.sort()).toEqual([...REFUSED[name]]);
      expect(refused.filter((entry) => !documented.includes(entry))).toEqual([]);
    },
  );
});
