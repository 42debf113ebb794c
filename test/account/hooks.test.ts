import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  TypeOrmUserAuthentication,
  type AuthUser,
  type ClientInfo,
  type UpdatedFields,
} from '../../src';
import { anyString, bearer, expectError } from '../support/http';
import { describeEngines } from '../support/engines';
import { buildAccountApp, signIn, type AccountApp } from './support';

/** One hook call: its name, the user's id and address at that moment, and the other arguments. */
interface Call {
  hook: string;
  id: number;
  email: string;
  isVerified: boolean;
  args: unknown[];
}

/** 403 `deletion_refused`: what a bridge's `onBeforeDelete` throws to keep a user. */
class DeletionRefused extends AuthError {
  constructor() {
    super(403, 'deletion_refused', 'This account may not be deleted.');
  }
}

/** The ready bridge, recording every hook it is called with. */
class RecordingAuth extends TypeOrmUserAuthentication<AuthUser> {
  readonly calls: Call[] = [];
  /** Addresses whose deletion `onBeforeDelete` refuses. */
  readonly keep = new Set<string>();

  private record(hook: string, user: AuthUser, ...args: unknown[]): void {
    const { id, email, isVerified } = user;
    this.calls.push({ hook, id, email, isVerified, args });
  }
  override onAfterRegister(user: AuthUser, client: ClientInfo): void {
    this.record('onAfterRegister', user, client);
  }
  override onAfterLogin(user: AuthUser, client: ClientInfo): void {
    this.record('onAfterLogin', user, client);
  }
  override onAfterRequestVerify(user: AuthUser, token: string): void {
    this.record('onAfterRequestVerify', user, token);
  }
  override onAfterVerify(user: AuthUser): void {
    this.record('onAfterVerify', user);
  }
  override onAfterForgotPassword(user: AuthUser, token: string): void {
    this.record('onAfterForgotPassword', user, token);
  }
  override onAfterResetPassword(user: AuthUser): void {
    this.record('onAfterResetPassword', user);
  }
  override onAfterUpdate(user: AuthUser, changes: UpdatedFields): void {
    this.record('onAfterUpdate', user, changes);
  }
  override onBeforeDelete(user: AuthUser): void {
    this.record('onBeforeDelete', user);
    if (this.keep.has(user.email)) throw new DeletionRefused();
  }
  override onAfterDelete(user: AuthUser): void {
    this.record('onAfterDelete', user);
  }
}

const UA = 'hooks-test/1.0';

describeEngines('account hooks: each called once, with the right arguments', (engine) => {
  let a: AccountApp;
  let bridge: RecordingAuth;
  let serial = 0;
  const fresh = (): string => `hooked${++serial}@example.com`;
  const post = (path: string, body: object) =>
    request(a.app).post(path).set('User-Agent', UA).send(body);

  /** The hook calls made by `act` (after the background work it started). */
  async function callsOf(act: () => Promise<unknown>): Promise<Call[]> {
    await a.auth.account.idle();
    const before = bridge.calls.length;
    await act();
    await a.auth.account.idle();
    return bridge.calls.slice(before);
  }

  beforeAll(async () => {
    a = await buildAccountApp(
      engine,
      { throttle: false },
      {
        bridge: (repo) => {
          bridge = new RecordingAuth(repo);
          return bridge;
        },
      },
    );
    await a.make('admin@example.com', 'admin-password-1', {
      permissions: ['users:read', 'users:write', 'users:delete'],
    });
  });
  afterAll(() => a.close());
  beforeEach(() => a.auth.account.idle());

  async function registered(email: string): Promise<number> {
    const res = await post('/auth/register', { email, password: 'password-one' });
    expect(res.status, res.text).toBe(201);
    return (res.body as { id: number }).id;
  }

  it('onAfterRegister(user, client): the new user, its IP and User-Agent', async () => {
    const email = fresh();
    let id = 0;
    const calls = await callsOf(async () => {
      id = await registered(email);
    });
    expect(calls).toEqual([
      {
        hook: 'onAfterRegister',
        id,
        email,
        isVerified: false,
        args: [{ ip: anyString(), userAgent: UA }],
      },
    ]);
  });

  it('onAfterLogin(user, client) after a login', async () => {
    const email = fresh();
    const id = await registered(email);
    const calls = await callsOf(async () => {
      expect((await post('/auth/login', { email, password: 'password-one' })).status).toBe(200);
    });
    expect(calls).toEqual([
      {
        hook: 'onAfterLogin',
        id,
        email,
        isVerified: false,
        args: [{ ip: anyString(), userAgent: UA }],
      },
    ]);
  });

  it('onAfterRequestVerify(user, token) with the mailed token; onAfterVerify(user) verified', async () => {
    const email = fresh();
    const id = await registered(email);
    const requested = await callsOf(() => post('/auth/request-verify-token', { email }));
    const [mail] = await a.mails(email, 'verify');
    expect(mail?.token).toEqual(anyString());
    expect(requested).toEqual([
      { hook: 'onAfterRequestVerify', id, email, isVerified: false, args: [mail?.token] },
    ]);
    const verified = await callsOf(async () => {
      expect((await post('/auth/verify', { token: mail?.token ?? '' })).status).toBe(200);
    });
    expect(verified).toEqual([{ hook: 'onAfterVerify', id, email, isVerified: true, args: [] }]);
  });

  it('no hook for an unknown address, nor for a refused token', async () => {
    const calls = await callsOf(async () => {
      await post('/auth/request-verify-token', { email: 'nobody@example.com' });
      await post('/auth/forgot-password', { email: 'nobody@example.com' });
      await post('/auth/verify', { token: 'not-a-token' });
      await post('/auth/reset-password', { token: 'not-a-token', password: 'password-two' });
    });
    expect(calls).toEqual([]);
  });

  it('onAfterForgotPassword(user, token) with the mailed token; onAfterResetPassword(user)', async () => {
    const email = fresh();
    const id = await registered(email);
    const forgot = await callsOf(() => post('/auth/forgot-password', { email }));
    const [mail] = await a.mails(email, 'reset');
    expect(forgot).toEqual([
      { hook: 'onAfterForgotPassword', id, email, isVerified: false, args: [mail?.token] },
    ]);
    const reset = await callsOf(async () => {
      const res = await post('/auth/reset-password', {
        token: mail?.token ?? '',
        password: 'password-two',
      });
      expect(res.status).toBe(204);
    });
    expect(reset).toEqual([
      { hook: 'onAfterResetPassword', id, email, isVerified: false, args: [] },
    ]);
  });

  it('onAfterUpdate(user, changes) for PATCH /users/me, a password change and PATCH /users/:id', async () => {
    const email = fresh();
    const id = await registered(email);
    const { access } = await signIn(a.app, email, 'password-one');
    const admin = await signIn(a.app, 'admin@example.com', 'admin-password-1');
    const next = fresh();
    const patched = await callsOf(async () => {
      const res = await request(a.app)
        .patch('/users/me')
        .set('Authorization', bearer(access))
        .send({ email: next });
      expect(res.status).toBe(200);
    });
    // The address change also mails a verify token to the new address: onAfterRequestVerify.
    expect(patched).toEqual([
      {
        hook: 'onAfterUpdate',
        id,
        email: next,
        isVerified: false,
        args: [{ email: next, isVerified: false }],
      },
      { hook: 'onAfterRequestVerify', id, email: next, isVerified: false, args: [anyString()] },
    ]);
    const changed = await callsOf(async () => {
      const res = await request(a.app)
        .post('/users/me/password')
        .set('Authorization', bearer(access))
        .send({ current_password: 'password-one', new_password: 'password-two' });
      expect(res.status).toBe(204);
    });
    expect(changed).toEqual([
      {
        hook: 'onAfterUpdate',
        id,
        email: next,
        isVerified: false,
        // That the password changed, not the hash (a hook that logs its arguments must not
        // write it out).
        args: [{ passwordChanged: true }],
      },
    ]);
    const byAdmin = await callsOf(async () => {
      const res = await request(a.app)
        .patch(`/users/${id}`)
        .set('Authorization', bearer(admin.access))
        .send({ roles: ['user', 'editor'] });
      expect(res.status).toBe(200);
    });
    expect(byAdmin).toEqual([
      {
        hook: 'onAfterUpdate',
        id,
        email: next,
        isVerified: false,
        args: [{ roles: ['user', 'editor'] }],
      },
    ]);
  });

  it('an update that changes nothing calls no hook', async () => {
    const email = fresh();
    await registered(email);
    const { access } = await signIn(a.app, email, 'password-one');
    const calls = await callsOf(async () => {
      const res = await request(a.app)
        .patch('/users/me')
        .set('Authorization', bearer(access))
        .send({ email });
      expect(res.status).toBe(200);
    });
    expect(calls).toEqual([]);
  });

  describe('delete', () => {
    it('DELETE /users/me: onBeforeDelete(user), then onAfterDelete(user)', async () => {
      const email = fresh();
      const id = await registered(email);
      const { access } = await signIn(a.app, email, 'password-one');
      const calls = await callsOf(async () => {
        const res = await request(a.app)
          .delete('/users/me')
          .set('Authorization', bearer(access))
          .send({ password: 'password-one' });
        expect(res.status).toBe(204);
      });
      expect(calls).toEqual([
        { hook: 'onBeforeDelete', id, email, isVerified: false, args: [] },
        { hook: 'onAfterDelete', id, email, isVerified: false, args: [] },
      ]);
    });

    it('DELETE /users/:id: the same two hooks', async () => {
      const email = fresh();
      const id = await registered(email);
      const admin = await signIn(a.app, 'admin@example.com', 'admin-password-1');
      const calls = await callsOf(async () => {
        const res = await request(a.app)
          .delete(`/users/${id}`)
          .set('Authorization', bearer(admin.access));
        expect(res.status).toBe(204);
      });
      expect(calls).toEqual([
        { hook: 'onBeforeDelete', id, email, isVerified: false, args: [] },
        { hook: 'onAfterDelete', id, email, isVerified: false, args: [] },
      ]);
    });

    it('onBeforeDelete throwing an AuthError refuses: its coded answer, the user and its tokens live, no onAfterDelete', async () => {
      const email = fresh();
      const id = await registered(email);
      bridge.keep.add(email);
      const { access } = await signIn(a.app, email, 'password-one');
      const calls = await callsOf(async () => {
        expectError(
          await request(a.app)
            .delete('/users/me')
            .set('Authorization', bearer(access))
            .send({ password: 'password-one' }),
          403,
          'deletion_refused',
        );
      });
      expect(calls).toEqual([{ hook: 'onBeforeDelete', id, email, isVerified: false, args: [] }]);
      expect(await a.repo.countBy({ email })).toBe(1);
      expect(
        (await request(a.app).get('/users/me').set('Authorization', bearer(access))).status,
      ).toBe(200);
    });
  });
});
