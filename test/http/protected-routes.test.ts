import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app';
import { bearer, expectError, withHeaders } from '../support/http';
import { TestUser } from '../support/users';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

type Method = 'get' | 'delete' | 'post';
const ROUTES: [Method, string][] = [
  ['get', '/t/me'],
  ['get', '/t/claims'],
  ['get', '/t/any'],
  ['get', '/t/admin'],
  ['delete', '/t/users/1'],
  ['get', '/t/moderator'],
  ['get', '/auth/sessions'],
  ['post', '/auth/logout'],
];

async function pairFor(name: keyof TestApp['users']) {
  return t.auth.tokens.createTokenPair(t.users[name].id);
}

function call(method: Method, path: string, authorization?: string) {
  return withHeaders(request(t.app)[method](path), { Authorization: authorization });
}

describe.each(ROUTES)('%s %s', (method, path) => {
  it('no credentials → 401, bare Bearer challenge', async () => {
    expectError(await call(method, path), 401, 'missing_credentials', 'Bearer');
  });

  it('another scheme counts as no credentials → 401', async () => {
    expectError(
      await call(method, path, 'Basic YWxpY2U6cHc='),
      401,
      'missing_credentials',
      'Bearer',
    );
  });

  it('a token in the query string is never read → 401', async () => {
    const pair = await pairFor('admin');
    const res = await request(t.app)[method](`${path}?access_token=${pair.accessToken}`);
    expectError(res, 401, 'missing_credentials', 'Bearer');
  });

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer tok=en', '   '])(
    'malformed header %j → 400 invalid_request',
    async (header) => {
      expectError(
        await call(method, path, header),
        400,
        'invalid_request',
        'Bearer error="invalid_request"',
      );
    },
  );

  it('garbage token → 401 invalid_token', async () => {
    expectError(
      await call(method, path, 'Bearer abc.def.ghi'),
      401,
      'invalid_token',
      'Bearer error="invalid_token"',
    );
    expectError(
      await call(method, path, 'Bearer garbage'),
      401,
      'invalid_token',
      'Bearer error="invalid_token"',
    );
  });

  it('expired token → 401 token_expired', async () => {
    const pair = await pairFor('admin');
    t.clock.advance(16 * 60_000);
    try {
      expectError(
        await call(method, path, bearer(pair.accessToken)),
        401,
        'token_expired',
        'Bearer error="invalid_token"',
      );
    } finally {
      t.clock.advance(-16 * 60_000);
    }
  });

  it('revoked token → 401 token_revoked', async () => {
    const pair = await pairFor('admin');
    await t.auth.tokens.revokeAllForUser(t.users.admin.id);
    expectError(
      await call(method, path, bearer(pair.accessToken)),
      401,
      'token_revoked',
      'Bearer error="invalid_token"',
    );
  });

  it('refresh token used as access → 401 wrong_token_type', async () => {
    const pair = await pairFor('admin');
    expectError(
      await call(method, path, bearer(pair.refreshToken)),
      401,
      'wrong_token_type',
      'Bearer error="invalid_token"',
    );
  });

  it('inactive user → 401 user_inactive', async () => {
    const pair = await pairFor('inactive');
    expectError(
      await call(method, path, bearer(pair.accessToken)),
      401,
      'user_inactive',
      'Bearer error="invalid_token"',
    );
  });

  it('scheme matched case-insensitively', async () => {
    const pair = await pairFor('admin');
    const res = await call(method, path, `bEaReR ${pair.accessToken}`);
    expect(res.status).toBe(path === '/auth/logout' ? 204 : 200);
  });
});

describe('roles, permissions, verified state', () => {
  it('admin route: 403 for alice, 200 for admin', async () => {
    const alice = await pairFor('alice');
    expectError(
      await call('get', '/t/admin', bearer(alice.accessToken)),
      403,
      'insufficient_scope',
      'Bearer error="insufficient_scope"',
    );
    const admin = await pairFor('admin');
    expect((await call('get', '/t/admin', bearer(admin.accessToken))).status).toBe(200);
  });

  it('role hierarchy: admin ⊇ moderator ⊇ user', async () => {
    for (const [name, status] of [
      ['admin', 200],
      ['mod', 200],
      ['alice', 403],
      ['ops', 403],
    ] as const) {
      const pair = await pairFor(name);
      expect((await call('get', '/t/moderator', bearer(pair.accessToken))).status).toBe(status);
    }
  });

  it('permission: exact and wildcard grants pass, others get 403', async () => {
    for (const [name, status] of [
      ['ops', 200],
      ['admin', 200],
      ['alice', 403],
      ['mod', 403],
    ] as const) {
      const pair = await pairFor(name);
      expect((await call('delete', '/t/users/1', bearer(pair.accessToken))).status).toBe(status);
    }
  });

  it('a role and a permission together: any role AND every permission', async () => {
    for (const [name, status] of [
      ['verified', 200],
      ['alice', 403],
      ['ops', 403],
    ] as const) {
      const pair = await pairFor(name);
      expect((await call('get', '/t/reports', bearer(pair.accessToken))).status).toBe(status);
    }
  });

  it('unverified → 403, verified → 200 (decorator and @Authorized)', async () => {
    const alice = await pairFor('alice');
    expectError(
      await call('get', '/t/verified', bearer(alice.accessToken)),
      403,
      'insufficient_scope',
      'Bearer error="insufficient_scope"',
    );
    expectError(
      await call('post', '/t/verified-action', bearer(alice.accessToken)),
      403,
      'insufficient_scope',
      'Bearer error="insufficient_scope"',
    );
    const v = await pairFor('verified');
    expect((await call('get', '/t/verified', bearer(v.accessToken))).status).toBe(200);
    expect((await call('post', '/t/verified-action', bearer(v.accessToken))).status).toBe(200);
  });

  it('a demotion applies on the next request', async () => {
    const repo = t.ds.getRepository(TestUser);
    const temp = await repo.save(
      repo.create({
        email: 'temp-admin@example.com',
        passwordHash: 'x',
        roles: ['admin'],
        permissions: [],
        isActive: true,
        isVerified: false,
      }),
    );
    const pair = await t.auth.tokens.createTokenPair(temp.id);
    expect((await call('get', '/t/admin', bearer(pair.accessToken))).status).toBe(200);
    await repo.update({ id: temp.id }, { roles: ['user'] });
    expect((await call('get', '/t/admin', bearer(pair.accessToken))).status).toBe(403);
    await repo.update({ id: temp.id }, { isActive: false });
    expect((await call('get', '/t/me', bearer(pair.accessToken))).status).toBe(401);
    // A fresh session for the now-inactive user, then the user is deleted outright.
    const late = await t.auth.tokens.createTokenPair(temp.id);
    await repo.delete({ id: temp.id });
    const res = await call('get', '/t/me', bearer(late.accessToken));
    expectError(res, 401, 'user_inactive', 'Bearer error="invalid_token"');
    const again = await call('get', '/t/me', bearer(late.accessToken));
    expectError(again, 401, 'token_revoked', 'Bearer error="invalid_token"');
  });

  it('optional current user: undefined without a token, still 401 for a bad one', async () => {
    expect((await call('get', '/t/optional')).body).toEqual({ id: null });
    const alice = await pairFor('alice');
    expect((await call('get', '/t/optional', bearer(alice.accessToken))).body).toEqual({
      id: t.users.alice.id,
    });
    expect((await call('get', '/t/optional', 'Bearer bad.to.ken')).status).toBe(401);
  });

  it('@AccessToken and @RefreshToken inject typed claims', async () => {
    const alice = await pairFor('alice');
    expect((await call('get', '/t/claims', bearer(alice.accessToken))).body).toEqual({
      sub: String(t.users.alice.id),
      type: 'access',
    });
    const refresh = await call('post', '/t/refresh-claims', bearer(alice.refreshToken));
    expect(refresh.body).toEqual({ sub: String(t.users.alice.id), type: 'refresh' });
    const wrong = await call('post', '/t/refresh-claims', bearer(alice.accessToken));
    expectError(wrong, 401, 'wrong_token_type', 'Bearer error="invalid_token"');
    expectError(await call('post', '/t/refresh-claims'), 401, 'missing_credentials', 'Bearer');
  });

  it('verifies once and loads the user once per request, whatever asks', async () => {
    const alice = await pairFor('alice');
    const auth = t.auth.userAuthentication;
    let lookups = 0;
    const original = auth.getUserById.bind(auth);
    auth.getUserById = (id: string) => {
      lookups++;
      return original(id);
    };
    try {
      // @Authorized, two @CurrentUser and an @AccessToken on one route.
      const res = await call('get', '/t/all-at-once', bearer(alice.accessToken));
      expect(res.body).toEqual({ same: true, sub: String(t.users.alice.id) });
      expect(lookups).toBe(1);
    } finally {
      auth.getUserById = original;
    }
  });
});

describe('deactivation', () => {
  it('kills every session of the user: reactivation does not revive old tokens', async () => {
    const repo = t.ds.getRepository(TestUser);
    const user = await repo.save(
      repo.create({
        email: 'flip@example.com',
        passwordHash: 'x',
        roles: ['user'],
        permissions: [],
        isActive: true,
        isVerified: false,
      }),
    );
    const first = await t.auth.tokens.createTokenPair(user.id);
    const second = await t.auth.tokens.createTokenPair(user.id);
    expect((await call('get', '/t/me', bearer(first.accessToken))).status).toBe(200);
    await repo.update({ id: user.id }, { isActive: false });
    const res = await call('get', '/t/me', bearer(first.accessToken));
    expectError(res, 401, 'user_inactive', 'Bearer error="invalid_token"');
    await repo.update({ id: user.id }, { isActive: true });
    for (const token of [first.accessToken, second.accessToken]) {
      expectError(
        await call('get', '/t/me', bearer(token)),
        401,
        'token_revoked',
        'Bearer error="invalid_token"',
      );
    }
    expect(await t.auth.tokens.listSessions(user.id)).toEqual([]);
  });
});
