import express from 'express';
import request from 'supertest';
import { Body, JsonController, Post, Req, useExpressServer } from 'routing-controllers';
import { Service } from 'typedi';
import type { Request } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTH_ERROR_CODES,
  AuthError,
  CsrfError,
  MissingCredentialsError,
  TooManyRequestsError,
  authFor,
  clientOf,
  InsufficientScopeError,
  permission,
  toTokenResponse,
  type ClientInfo,
} from '../../src';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { TestAuth, TestUser } from '../support/users';
import {
  bearer,
  browserLogin,
  cookieHeader,
  expectError,
  loginPair,
  me,
  setCookies,
  sidOf,
} from '../support/http';

const INVALID = 'Bearer error="invalid_token"';

/** A bridge whose hooks the tests steer. */
class SteeredAuth extends TestAuth {
  refuseLogin = false;
  failLookups = false;
  accepted: { id: number; client: ClientInfo }[] = [];

  override onCredentialsAccepted(user: TestUser, client: ClientInfo): void {
    if (this.refuseLogin) throw new InsufficientScopeError('A second factor is required.');
    this.accepted.push({ id: user.id, client });
  }

  override getUserById(id: string): Promise<TestUser | null> {
    if (this.failLookups) return Promise.reject(new Error('users table unreachable'));
    return super.getUserById(id);
  }
}

@JsonController('/mine')
@Service()
class OwnLoginController {
  @Post('/signin')
  async signIn(@Body() body: unknown, @Req() req: Request) {
    const pair = await authFor(req).flows.login(body, clientOf(req));
    return { token: toTokenResponse(pair).access_token };
  }
}

describeEngines('flows', (engine) => {
  let t: TestApp;
  let bridge: SteeredAuth;
  beforeAll(async () => {
    t = await buildTestApp(
      engine,
      {
        roleHierarchy: { admin: ['moderator'], moderator: ['user'] },
        rolePermissions: { moderator: ['reports:*'], user: ['profile:read'] },
      },
      (ds) => (bridge = new SteeredAuth(ds)),
    );
  });
  afterAll(() => t.close());

  describe('login extension point and flows for controllers of your own', () => {
    it('onCredentialsAccepted runs between the check and the tokens, with the client', async () => {
      bridge.accepted = [];
      await loginPair(t.app, 'alice@example.com', PASSWORDS.alice, 'ua-hook/1');
      expect(bridge.accepted).toEqual([
        {
          id: t.users.alice.id,
          client: { ip: expect.any(String) as string, userAgent: 'ua-hook/1' },
        },
      ]);
    });

    it('an AuthError thrown there stops the login: its code, no session', async () => {
      bridge.refuseLogin = true;
      try {
        const before = await t.auth.tokens.listSessions(t.users.mod.id);
        const res = await request(t.app)
          .post('/auth/login')
          .send({ email: 'mod@example.com', password: PASSWORDS.mod });
        expectError(res, 403, 'insufficient_scope', 'Bearer error="insufficient_scope"');
        expect(await t.auth.tokens.listSessions(t.users.mod.id)).toEqual(before);
      } finally {
        bridge.refuseLogin = false;
      }
    });

    it('a controller of your own logs in through authFor(req).flows', async () => {
      const app = express();
      useExpressServer(app, { ...t.auth.serverOptions, controllers: [OwnLoginController] });
      const res = await request(app)
        .post('/mine/signin')
        .send({ email: 'alice@example.com', password: PASSWORDS.alice });
      expect(res.status, res.text).toBe(200);
      const { token } = res.body as { token: string };
      expect((await me(t.app, token)).status).toBe(200);
      const bad = await request(app).post('/mine/signin').send({ email: 'alice@example.com' });
      expectError(bad, 400, 'invalid_request', 'Bearer error="invalid_request"');
    });

    it('auth.flows works without HTTP: login, sessions, logout', async () => {
      const pair = await t.auth.flows.login({
        email: 'alice@example.com',
        password: PASSWORDS.alice,
      });
      const context = await t.auth.flows.identify(pair.accessToken);
      expect(await t.auth.flows.authorize(context)).toMatchObject({ id: t.users.alice.id });
      const listed = await t.auth.flows.sessions(context.claims);
      expect(listed.find((s) => s.current)?.id).toBe(pair.sessionId);
      await t.auth.flows.logout(context.claims);
      await expect(t.auth.flows.identify(pair.accessToken)).rejects.toMatchObject({
        code: 'token_revoked',
      });
    });
  });

  describe('rolePermissions, resolved through the hierarchy', () => {
    it('a role grant covers a permission; an inherited grant too; direct grants still count', async () => {
      const grants = t.auth.flows;
      const contextOf = async (email: string, password: string) =>
        grants.identify((await loginPair(t.app, email, password)).access_token);
      const admin = await contextOf('admin@example.com', PASSWORDS.admin);
      const mod = await contextOf('mod@example.com', PASSWORDS.mod);
      const alice = await contextOf('alice@example.com', PASSWORDS.alice);
      // moderator grants reports:*, admin includes moderator.
      await expect(grants.authorize(mod, { permissions: ['reports:read'] })).resolves.toMatchObject(
        {
          id: t.users.mod.id,
        },
      );
      await expect(
        grants.authorize(admin, { permissions: ['reports:read'] }),
      ).resolves.toMatchObject({
        id: t.users.admin.id,
      });
      // user grants profile:read to everyone with the user role, through the hierarchy too.
      await expect(
        grants.authorize(admin, { permissions: ['profile:read'] }),
      ).resolves.toMatchObject({
        id: t.users.admin.id,
      });
      await expect(
        grants.authorize(alice, { permissions: ['reports:read'] }),
      ).rejects.toMatchObject({
        status: 403,
        code: 'insufficient_scope',
      });
      // admin's own users:* grant (from the user row) still applies.
      await expect(
        grants.authorize(admin, { permissions: ['users:delete'] }),
      ).resolves.toMatchObject({
        id: t.users.admin.id,
      });
    });

    it("over HTTP: @Authorized([permission('reports:read')]) passes for a moderator by role grant", async () => {
      expect(permission('reports:read').permission).toBe('reports:read');
      const mod = await loginPair(t.app, 'mod@example.com', PASSWORDS.mod);
      const alice = await loginPair(t.app, 'alice@example.com', PASSWORDS.alice);
      // /t/reports needs role user AND permission reports:read.
      const ok = await request(t.app)
        .get('/t/reports')
        .set('Authorization', bearer(mod.access_token));
      expect(ok.status, ok.text).toBe(200);
      const refused = await request(t.app)
        .get('/t/reports')
        .set('Authorization', bearer(alice.access_token));
      expectError(refused, 403, 'insufficient_scope', 'Bearer error="insufficient_scope"');
    });
  });

  describe('DELETE /auth/sessions/:id', () => {
    it("revokes one of the caller's own sessions; that session's tokens die, the caller's live on", async () => {
      const laptop = await loginPair(t.app, 'verified@example.com', PASSWORDS.verified, 'laptop');
      const phone = await loginPair(t.app, 'verified@example.com', PASSWORDS.verified, 'phone');
      const res = await request(t.app)
        .delete(`/auth/sessions/${sidOf(phone.access_token)}`)
        .set('Authorization', bearer(laptop.access_token));
      expect(res.status, res.text).toBe(204);
      expectError(await me(t.app, phone.access_token), 401, 'token_revoked', INVALID);
      expect((await me(t.app, laptop.access_token)).status).toBe(200);
      const again = await request(t.app)
        .delete(`/auth/sessions/${sidOf(phone.access_token)}`)
        .set('Authorization', bearer(laptop.access_token));
      expectError(again, 404, 'session_not_found');
    });

    it("someone else's session, an unknown id or a malformed one → 404, nothing revoked", async () => {
      const alice = await loginPair(t.app, 'alice@example.com', PASSWORDS.alice);
      const ops = await loginPair(t.app, 'ops@example.com', PASSWORDS.ops);
      for (const id of [
        sidOf(ops.access_token),
        '00000000-0000-4000-8000-000000000000',
        'x'.repeat(65),
        '%00',
      ]) {
        const res = await request(t.app)
          .delete(`/auth/sessions/${encodeURIComponent(id)}`)
          .set('Authorization', bearer(alice.access_token));
        expectError(res, 404, 'session_not_found');
      }
      expect((await me(t.app, ops.access_token)).status).toBe(200);
    });

    it('its own current session: the token that asked dies too', async () => {
      const pair = await loginPair(t.app, 'alice@example.com', PASSWORDS.alice);
      const res = await request(t.app)
        .delete(`/auth/sessions/${sidOf(pair.access_token)}`)
        .set('Authorization', bearer(pair.access_token));
      expect(res.status).toBe(204);
      expectError(await me(t.app, pair.access_token), 401, 'token_revoked', INVALID);
    });

    it('without a token → 401 missing_credentials', async () => {
      const res = await request(t.app).delete('/auth/sessions/abc');
      expectError(res, 401, 'missing_credentials', 'Bearer');
    });
  });

  describe('cookie logout once the access cookie is gone (pen-test finding 8)', () => {
    it('the refresh and CSRF cookies are enough: 204, session dead, cookies cleared', async () => {
      const s = await browserLogin(t.app, 'alice@example.com', PASSWORDS.alice);
      const res = await request(t.app)
        .post('/auth/logout')
        .set('Cookie', cookieHeader({ refresh_token: s.refresh, csrf_token: s.csrf }))
        .set('X-CSRF-Token', s.csrf);
      expect(res.status, res.text).toBe(204);
      expect([...setCookies(res).values()].map((c) => [c.name, c.value])).toEqual([
        ['access_token', ''],
        ['refresh_token', ''],
        ['csrf_token', ''],
      ]);
      const refreshed = await request(t.app)
        .post('/auth/cookie/refresh')
        .set('Cookie', cookieHeader({ refresh_token: s.refresh, csrf_token: s.csrf }))
        .set('X-CSRF-Token', s.csrf);
      expectError(refreshed, 401, 'token_revoked', INVALID);
      expectError(await me(t.app, s.access), 401, 'token_revoked', INVALID);
    });

    it('an expired access cookie beside the refresh cookie: still 204', async () => {
      const s = await browserLogin(t.app, 'alice@example.com', PASSWORDS.alice);
      t.clock.advance(16 * 60 * 1000);
      try {
        const res = await request(t.app)
          .post('/auth/logout')
          .set(
            'Cookie',
            cookieHeader({ access_token: s.access, refresh_token: s.refresh, csrf_token: s.csrf }),
          )
          .set('X-CSRF-Token', s.csrf);
        expect(res.status, res.text).toBe(204);
        expect(await t.auth.tokens.listSessions(t.users.alice.id)).not.toContainEqual(
          expect.objectContaining({ id: sidOf(s.refresh) }),
        );
      } finally {
        t.clock.advance(-16 * 60 * 1000);
      }
    });

    it('without the CSRF header → 403 and nothing cleared or revoked', async () => {
      const s = await browserLogin(t.app, 'alice@example.com', PASSWORDS.alice);
      const res = await request(t.app)
        .post('/auth/logout')
        .set('Cookie', cookieHeader({ refresh_token: s.refresh, csrf_token: s.csrf }));
      expectError(res, 403, 'csrf_failed');
      expect(res.headers['set-cookie']).toBeUndefined();
      expect((await me(t.app, s.access)).status).toBe(200);
    });

    it("a cross-site POST (a foreign page's form) clears nothing, with or without cookies (pen test II, F5)", async () => {
      const bare = await request(t.app)
        .post('/auth/logout')
        .set('Sec-Fetch-Site', 'cross-site')
        .set('Origin', 'https://evil.example');
      expectError(bare, 401, 'missing_credentials', 'Bearer');
      expect(bare.headers['set-cookie']).toBeUndefined();
      const s = await browserLogin(t.app, 'alice@example.com', PASSWORDS.alice);
      t.clock.advance(16 * 60 * 1000);
      try {
        const res = await request(t.app)
          .post('/auth/logout')
          .set('Origin', 'https://evil.example')
          .set(
            'Cookie',
            cookieHeader({ access_token: s.access, refresh_token: s.refresh, csrf_token: s.csrf }),
          );
        expectError(res, 403, 'csrf_failed');
        expect(res.headers['set-cookie']).toBeUndefined();
      } finally {
        t.clock.advance(-16 * 60 * 1000);
      }
      expect((await me(t.app, s.access)).status).toBe(200);
    });

    it('with no credentials at all → 401, and the cookies are cleared anyway', async () => {
      const res = await request(t.app).post('/auth/logout');
      expectError(res, 401, 'missing_credentials', 'Bearer');
      expect([...setCookies(res).keys()]).toEqual(['access_token', 'refresh_token', 'csrf_token']);
    });
  });

  describe('one rule for a deactivated user, wherever the token shows up (finding 4)', () => {
    it('seen first on /auth/refresh: every session of the user dies, not just that one', async () => {
      const repo = t.ds.getRepository(TestUser);
      const user = await repo.save(
        repo.create({
          email: `leaver-${engine}@example.com`,
          passwordHash: (await repo.findOneByOrFail({ id: t.users.alice.id })).passwordHash,
          roles: ['user'],
          permissions: [],
        }),
      );
      const one = await loginPair(t.app, user.email, PASSWORDS.alice);
      const two = await loginPair(t.app, user.email, PASSWORDS.alice);
      await repo.update({ id: user.id }, { isActive: false });
      const res = await request(t.app)
        .post('/auth/refresh')
        .set('Authorization', bearer(one.refresh_token));
      expectError(res, 401, 'user_inactive', INVALID);
      await repo.update({ id: user.id }, { isActive: true });
      // Reactivated: neither session comes back.
      expectError(await me(t.app, two.access_token), 401, 'token_revoked', INVALID);
      const other = await request(t.app)
        .post('/auth/refresh')
        .set('Authorization', bearer(two.refresh_token));
      expectError(other, 401, 'token_revoked', INVALID);
      expect(await t.auth.tokens.listSessions(user.id)).toEqual([]);
    });
  });

  describe('store check and user lookup failing together: one answer', () => {
    it('a revoked token whose user lookup also fails → 401 token_revoked, every time', async () => {
      const pair = await loginPair(t.app, 'alice@example.com', PASSWORDS.alice);
      await t.auth.tokens.revokeSession(sidOf(pair.access_token));
      bridge.failLookups = true;
      try {
        for (let i = 0; i < 5; i++) {
          expectError(await me(t.app, pair.access_token), 401, 'token_revoked', INVALID);
        }
      } finally {
        bridge.failLookups = false;
      }
    });

    it('a live token whose user lookup fails → 503 auth_unavailable', async () => {
      const pair = await loginPair(t.app, 'alice@example.com', PASSWORDS.alice);
      bridge.failLookups = true;
      try {
        expectError(await me(t.app, pair.access_token), 503, 'auth_unavailable');
      } finally {
        bridge.failLookups = false;
      }
    });
  });
});

describe('errors carry their own headers', () => {
  it('AuthError.headers(): no-store, the challenge, and Retry-After where it applies', () => {
    expect(new TooManyRequestsError(12.2).headers()).toEqual({
      'Cache-Control': 'no-store',
      'Retry-After': '13',
    });
    expect(new MissingCredentialsError().headers()).toEqual({
      'Cache-Control': 'no-store',
      'WWW-Authenticate': 'Bearer',
    });
    expect(new CsrfError().headers()).toEqual({ 'Cache-Control': 'no-store' });
    expect(AUTH_ERROR_CODES.csrf_failed.status).toBe(403);
    class Mine extends AuthError {
      override headers(): Record<string, string> {
        return { ...super.headers(), 'X-Mine': '1' };
      }
    }
    expect(new Mine(418, 'teapot', 'Short and stout.').headers()).toEqual({
      'Cache-Control': 'no-store',
      'X-Mine': '1',
    });
  });
});
