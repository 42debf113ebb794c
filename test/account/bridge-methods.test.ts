import request from 'supertest';
import type { Repository } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthConfigError,
  BaseUserAuthentication,
  TypeOrmUserAuthentication,
  type AuthUser,
  type LoginCredentials,
  type NewUser,
  type UserChanges,
} from '../../src';
import { bearer, expectError } from '../support/http';
import { describeEngines } from '../support/engines';
import { buildAccountApp, signIn, type AccountApp } from './support';

/**
 * A user's own bridge over the ready table, with only the account methods it lists: the others
 * are simply not there, as in a model that has no sign-up or no updates.
 */
class LoginOnlyAuth extends BaseUserAuthentication<AuthUser> {
  protected readonly inner: TypeOrmUserAuthentication<AuthUser>;
  constructor(repo: Repository<AuthUser>) {
    super();
    this.inner = new TypeOrmUserAuthentication(repo);
  }
  authenticate(credentials: LoginCredentials): Promise<AuthUser | null> {
    this.inner.passwords = this.passwords; // the setup's hasher (cost 4), not a default one
    return this.inner.authenticate(credentials);
  }
  getUserById(id: string): Promise<AuthUser | null> {
    return this.inner.getUserById(id);
  }
  getUserId(user: AuthUser): number {
    return user.id;
  }
  override toPublicUser(user: AuthUser): Record<string, unknown> {
    return this.inner.toPublicUser(user);
  }
}

/** Everything but `createUser`: no sign-up (users come from elsewhere). */
class NoSignUpAuth extends LoginOnlyAuth {
  override findByEmail(email: string): Promise<AuthUser | null> {
    return this.inner.findByEmail(email);
  }
  override updateUser(user: AuthUser, changes: UserChanges): Promise<AuthUser> {
    return this.inner.updateUser(user, changes);
  }
  override deleteUser(user: AuthUser): Promise<void> {
    return this.inner.deleteUser(user);
  }
}

/** Sign-up only: `findByEmail` and `createUser`, no `updateUser` nor `deleteUser`. */
class SignUpOnlyAuth extends LoginOnlyAuth {
  override findByEmail(email: string): Promise<AuthUser | null> {
    return this.inner.findByEmail(email);
  }
  override createUser(input: NewUser): Promise<AuthUser> {
    return this.inner.createUser(input);
  }
}

describeEngines('account routes of a bridge without some methods', (engine) => {
  describe('without createUser', () => {
    let a: AccountApp;
    beforeAll(async () => {
      a = await buildAccountApp(engine, {}, { bridge: (repo) => new NoSignUpAuth(repo) });
      await a.make('old@example.com', 'password-one');
    });
    afterAll(() => a.close());

    it('auth.accountControllers leaves RegisterController out; status().accountRoutes says why', () => {
      expect(a.auth.accountControllers.map((c) => c.name)).toEqual([
        'VerifyController',
        'ResetPasswordController',
        'MeController',
        'UsersAdminController',
      ]);
      expect(a.auth.status().accountRoutes).toEqual({
        mounted: [
          'VerifyController',
          'ResetPasswordController',
          'MeController',
          'UsersAdminController',
        ],
        missing: [{ controller: 'RegisterController', methods: ['createUser'] }],
      });
    });

    it('setup says so in one line naming the controller and the method', () => {
      expect(a.warnings).toEqual([
        'account routes not mounted: RegisterController (needs NoSignUpAuth.createUser()). Implement those methods to get the routes; auth.status().accountRoutes lists them.',
      ]);
    });

    it('POST /auth/register → coded 404 (not mounted); no user made', async () => {
      const res = await request(a.app)
        .post('/auth/register')
        .send({ email: 'new@example.com', password: 'password-one' });
      expectError(res, 404, 'not_found');
      expect(await a.repo.countBy({ email: 'new@example.com' })).toBe(0);
    });

    it('the flow called directly refuses with an AuthConfigError naming the method', async () => {
      const attempt = a.auth.account.register({
        email: 'new@example.com',
        password: 'password-one',
      });
      await expect(attempt).rejects.toThrow(AuthConfigError);
      await expect(attempt).rejects.toThrow(/NoSignUpAuth\.createUser\(\)/);
    });

    it('the routes whose methods exist still work: forgot/reset password, /users/me', async () => {
      expect(
        (await request(a.app).post('/auth/forgot-password').send({ email: 'old@example.com' }))
          .status,
      ).toBe(202);
      const [mail] = await a.mails('old@example.com', 'reset');
      const reset = await request(a.app)
        .post('/auth/reset-password')
        .send({ token: mail?.token, password: 'password-two' });
      expect(reset.status).toBe(204);
      const { access } = await signIn(a.app, 'old@example.com', 'password-two');
      const me = await request(a.app).get('/users/me').set('Authorization', bearer(access));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ email: 'old@example.com' });
    });
  });

  describe('without updateUser and deleteUser', () => {
    let a: AccountApp;
    beforeAll(async () => {
      a = await buildAccountApp(engine, {}, { bridge: (repo) => new SignUpOnlyAuth(repo) });
    });
    afterAll(() => a.close());

    it('only RegisterController is mounted; status().accountRoutes names every missing method', () => {
      expect(a.auth.accountControllers.map((c) => c.name)).toEqual(['RegisterController']);
      expect(a.auth.status().accountRoutes).toEqual({
        mounted: ['RegisterController'],
        missing: [
          { controller: 'VerifyController', methods: ['updateUser'] },
          { controller: 'ResetPasswordController', methods: ['updateUser'] },
          { controller: 'MeController', methods: ['updateUser', 'deleteUser'] },
          { controller: 'UsersAdminController', methods: ['updateUser', 'deleteUser'] },
        ],
      });
      expect(a.warnings).toEqual([
        'account routes not mounted: VerifyController (needs SignUpOnlyAuth.updateUser()); ResetPasswordController (needs SignUpOnlyAuth.updateUser()); MeController (needs SignUpOnlyAuth.updateUser(), SignUpOnlyAuth.deleteUser()); UsersAdminController (needs SignUpOnlyAuth.updateUser(), SignUpOnlyAuth.deleteUser()). Implement those methods to get the routes; auth.status().accountRoutes lists them.',
      ]);
    });

    it('register works; verify, reset, /users/me and /users/:id answer a coded 404', async () => {
      const created = await request(a.app)
        .post('/auth/register')
        .send({ email: 'new@example.com', password: 'password-one' });
      expect(created.status).toBe(201);
      const { access } = await signIn(a.app, 'new@example.com', 'password-one');
      const auth = { Authorization: bearer(access) };
      const id = String((created.body as { id: number }).id);
      const refused = [
        request(a.app).post('/auth/request-verify-token').send({ email: 'new@example.com' }),
        request(a.app).post('/auth/verify').send({ token: 'x' }),
        request(a.app).post('/auth/forgot-password').send({ email: 'new@example.com' }),
        request(a.app).post('/auth/reset-password').send({ token: 'x', password: 'password-2' }),
        request(a.app).get('/users/me').set(auth),
        request(a.app).patch('/users/me').set(auth).send({ email: 'other@example.com' }),
        request(a.app).delete('/users/me').set(auth).send({ password: 'password-one' }),
        request(a.app)
          .post('/users/me/password')
          .set(auth)
          .send({ current_password: 'password-one', new_password: 'password-two' }),
        request(a.app).get(`/users/${id}`).set(auth),
        request(a.app).delete(`/users/${id}`).set(auth),
      ];
      for (const res of await Promise.all(refused)) expectError(res, 404, 'not_found');
      await a.auth.account.idle();
      expect(a.outbox).toEqual([]);
      expect(await a.repo.countBy({ email: 'new@example.com' })).toBe(1);
    });
  });

  it('setup says nothing for a full bridge, nor for one with no account method at all', async () => {
    for (const bridge of [
      (repo: Repository<AuthUser>) => new TypeOrmUserAuthentication(repo),
      (repo: Repository<AuthUser>) => new LoginOnlyAuth(repo),
    ]) {
      const a = await buildAccountApp(engine, {}, { bridge });
      await a.close();
      expect(a.warnings).toEqual([]);
    }
  });
});
