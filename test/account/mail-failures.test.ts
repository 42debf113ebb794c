import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { TypeOrmUserAuthentication, type AccountMail, type AuthUser } from '../../src';
import { describeEngines } from '../support/engines';
import { buildAccountApp, comparableHeaders, signIn, type AccountApp } from './support';

/** How the mailer (or a hook) fails: at once, by rejecting, or by hanging until released. */
type Failure = 'ok' | 'throws' | 'rejects' | 'hangs';

/** A promise of the mailer's that the test settles, and whether it has been. */
interface Held {
  message: AccountMail;
  settled: boolean;
  reject: (error: Error) => void;
}

/** A mailer whose failure the test picks, holding its hanging calls for the test to settle. */
function failingMailer() {
  const state = { mode: 'ok' as Failure, held: [] as Held[], waiters: [] as (() => void)[] };
  const send = (message: AccountMail): void | Promise<void> => {
    if (state.mode === 'throws') throw new Error(`smtp refused ${message.kind}`);
    if (state.mode === 'rejects') return Promise.reject(new Error(`smtp lost ${message.kind}`));
    if (state.mode === 'ok') return undefined;
    return new Promise<void>((_resolve, reject) => {
      const held: Held = {
        message,
        settled: false,
        reject: (error) => {
          held.settled = true;
          reject(error);
        },
      };
      state.held.push(held);
      for (const wake of state.waiters.splice(0)) wake();
    });
  };
  /** Resolves once `n` calls hang. */
  const hanging = async (n: number): Promise<Held[]> => {
    while (state.held.length < n) await new Promise<void>((wake) => state.waiters.push(wake));
    return state.held;
  };
  return { state, send, hanging };
}

/** The ready bridge whose `onAfter*` hooks fail as `mode` says. */
class FailingHooksAuth extends TypeOrmUserAuthentication<AuthUser> {
  mode: Failure = 'ok';
  private fail(hook: string): void | Promise<void> {
    if (this.mode === 'throws') throw new Error(`${hook} broke`);
    if (this.mode === 'rejects') return Promise.reject(new Error(`${hook} broke`));
    return undefined;
  }
  override onAfterRegister(): void | Promise<void> {
    return this.fail('register hook');
  }
  override onAfterLogin(): void | Promise<void> {
    return this.fail('login hook');
  }
  override onAfterRequestVerify(): void | Promise<void> {
    return this.fail('request-verify hook');
  }
  override onAfterVerify(): void | Promise<void> {
    return this.fail('verify hook');
  }
  override onAfterForgotPassword(): void | Promise<void> {
    return this.fail('forgot hook');
  }
  override onAfterResetPassword(): void | Promise<void> {
    return this.fail('reset hook');
  }
  override onAfterUpdate(): void | Promise<void> {
    return this.fail('update hook');
  }
  override onAfterDelete(): void | Promise<void> {
    return this.fail('delete hook');
  }
}

/** What two answers must share: status, body text, headers but the date. */
function answer(res: request.Response) {
  return { status: res.status, text: res.text, headers: comparableHeaders(res) };
}

describeEngines('a failing mailer or hook never changes nor delays the answer', (engine) => {
  let a: AccountApp;
  let bridge: FailingHooksAuth;
  const mailer = failingMailer();
  let serial = 0;
  const fresh = (): string => `mailfail${++serial}@example.com`;
  const post = (path: string, body: object) => request(a.app).post(path).send(body);

  beforeAll(async () => {
    a = await buildAccountApp(
      engine,
      { enumerationSafeRegistration: true, throttle: false },
      {
        mailer: mailer.send,
        bridge: (repo) => {
          bridge = new FailingHooksAuth(repo);
          return bridge;
        },
      },
    );
  });
  afterAll(() => a.close());
  afterEach(() => {
    // A failed assertion must not leave a held mail behind: idle() would wait on it forever.
    for (const h of mailer.state.held.splice(0)) h.reject(new Error('released'));
  });
  beforeEach(async () => {
    mailer.state.mode = 'ok';
    bridge.mode = 'ok';
    await a.auth.account.idle();
    a.logged.length = 0;
  });

  /** The three routes that mail, for an address that gets mail from each. */
  async function mailingRoutes(): Promise<request.Response[]> {
    const email = fresh();
    await a.make(email, 'password-one');
    return [
      await post('/auth/forgot-password', { email }),
      await post('/auth/request-verify-token', { email }),
      await post('/auth/register', { email, password: 'password-two' }), // taken: told by mail
    ];
  }

  for (const mode of ['throws', 'rejects'] as const) {
    it(`a mailer that ${mode}: forgot-password, request-verify-token and a taken registration answer exactly as with a working one; each failure logged`, async () => {
      const working = (await mailingRoutes()).map(answer);
      expect(working.map((w) => w.status)).toEqual([202, 202, 202]);
      await a.auth.account.idle();
      expect(a.logged).toEqual([]);
      mailer.state.mode = mode;
      const failing = (await mailingRoutes()).map(answer);
      expect(failing).toEqual(working);
      await a.auth.account.idle();
      const verb = mode === 'throws' ? 'refused' : 'lost';
      expect(a.logged.sort()).toEqual([
        `mail (already-registered): smtp ${verb} already-registered`,
        `mail (reset): smtp ${verb} reset`,
        `mail (verify): smtp ${verb} verify`,
      ]);
    });
  }

  it('a mailer that hangs: every answer arrives while its mail is still pending; the later rejection is logged', async () => {
    const working = (await mailingRoutes()).map(answer);
    await a.auth.account.idle(); // the working mails are out before the mailer starts hanging
    mailer.state.mode = 'hangs';
    const failing = (await mailingRoutes()).map(answer);
    // All three answers are in while no held promise has settled: none waited on its mail.
    const held = await mailer.hanging(3);
    expect(held.map((h) => [h.message.kind, h.settled]).sort()).toEqual([
      ['already-registered', false],
      ['reset', false],
      ['verify', false],
    ]);
    expect(failing).toEqual(working);
    expect(a.logged).toEqual([]);
    for (const h of mailer.state.held.splice(0)) h.reject(new Error('smtp timed out'));
    await a.auth.account.idle();
    expect(a.logged.sort()).toEqual([
      'mail (already-registered): smtp timed out',
      'mail (reset): smtp timed out',
      'mail (verify): smtp timed out',
    ]);
  });

  it('PATCH /users/me with a new address: 200 with the user while the verify mail hangs', async () => {
    const email = fresh();
    await a.make(email, 'password-one');
    const { access } = await signIn(a.app, email, 'password-one');
    mailer.state.mode = 'hangs';
    const next = fresh();
    const res = await request(a.app)
      .patch('/users/me')
      .set('Authorization', `Bearer ${access}`)
      .send({ email: next });
    const [held] = await mailer.hanging(1);
    expect(held?.settled).toBe(false);
    expect(held?.message).toMatchObject({ to: next, kind: 'verify' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: next, isVerified: false });
    for (const h of mailer.state.held.splice(0)) h.reject(new Error('smtp timed out'));
    await a.auth.account.idle();
    expect(a.logged).toEqual(['mail (verify): smtp timed out']);
  });

  /** Every flow with an `onAfter*` hook, run once; the answers' statuses and bodies (no times). */
  async function hookedFlows(): Promise<unknown[]> {
    const email = fresh();
    const registered = await post('/auth/register', { email: fresh(), password: 'password-one' });
    await a.make(email, 'password-one');
    const login = await post('/auth/login', { email, password: 'password-one' });
    const requested = await post('/auth/request-verify-token', { email });
    const forgot = await post('/auth/forgot-password', { email });
    await a.auth.account.idle();
    const tokenOf = (kind: AccountMail['kind']) =>
      a.outbox.filter((m) => m.to === email && m.kind === kind).at(-1)?.token ?? '';
    const verified = await post('/auth/verify', { token: tokenOf('verify') });
    const reset = await post('/auth/reset-password', {
      token: tokenOf('reset'),
      password: 'password-two',
    });
    const again = await post('/auth/login', { email, password: 'password-two' });
    const auth = {
      Authorization: `Bearer ${(again.body as { access_token: string }).access_token}`,
    };
    const changed = await request(a.app)
      .post('/users/me/password')
      .set(auth)
      .send({ current_password: 'password-two', new_password: 'password-three' });
    const deleted = await request(a.app)
      .delete('/users/me')
      .set(auth)
      .send({ password: 'password-three' });
    const shape = (res: request.Response) => ({
      status: res.status,
      keys: !res.text ? [] : Object.keys(JSON.parse(res.text) as object).sort(),
    });
    return [registered, login, requested, forgot, verified, reset, changed, deleted].map(shape);
  }

  for (const mode of ['throws', 'rejects'] as const) {
    it(`hooks that ${mode}: every flow answers as with working hooks; each failure logged, the mail still sent`, async () => {
      const working = await hookedFlows();
      expect(working).toMatchObject([
        { status: 202 },
        { status: 200 },
        { status: 202 },
        { status: 202 },
        { status: 200 },
        { status: 204 },
        { status: 204 },
        { status: 204 },
      ]);
      await a.auth.account.idle();
      expect(a.logged).toEqual([]);
      bridge.mode = mode;
      const sent = a.outbox.length;
      expect(await hookedFlows()).toEqual(working);
      await a.auth.account.idle();
      expect(a.logged.sort()).toEqual(
        [
          'forgot-password: forgot hook broke',
          'onAfterDelete: delete hook broke',
          'onAfterLogin: login hook broke',
          'onAfterLogin: login hook broke',
          'onAfterRegister: register hook broke',
          'onAfterResetPassword: reset hook broke',
          'onAfterUpdate: update hook broke',
          'onAfterVerify: verify hook broke',
          'request-verify-token: request-verify hook broke',
        ].sort(),
      );
      // The mail goes before its hook runs: a failing hook does not stop it.
      expect(
        a.outbox
          .slice(sent)
          .map((m) => m.kind)
          .sort(),
      ).toEqual(['reset', 'verify']);
    });
  }
});
