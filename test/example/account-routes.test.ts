// DESIGN.md's "Account flows" table, line by line, against the example app over HTTP on every
// engine. The example's mailer writes to MAIL_OUTBOX; every token here is read from that file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { User } from '../../example/user.entity';
import { comparableHeaders } from '../account/support';
import { testClock, type TestClock } from '../support/clock';
import { describeEngines } from '../support/engines';
import { claimsOf, forge } from '../support/forge';
import {
  anyNumber,
  anyString,
  bearer,
  expectError,
  loginPair,
  type PairBody,
} from '../support/http';
import {
  startExample,
  stopExample,
  TEST_OPTIONS,
  type ExampleHarness,
} from '../support/http/example';

const MINUTE = 60_000;
const REVOKED = 'Bearer error="invalid_token"';

/** One line of the outbox file, as the example's mailer writes it. */
interface OutboxLine {
  to: string;
  kind: string;
  token?: string;
  userId: string;
  sentAt: string;
}

describeEngines('example app: the account routes of DESIGN.md', (engine) => {
  let h: ExampleHarness;
  let clock: TestClock;
  let dir: string;
  let outboxFile: string;
  let admin: string;
  let serial = 0;
  const fresh = (): string => `acct${++serial}@example.com`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rca-outbox-'));
    outboxFile = join(dir, 'outbox.jsonl');
    vi.stubEnv('MAIL_OUTBOX', outboxFile);
    clock = testClock(Date.now());
    h = await startExample(engine, { ...TEST_OPTIONS, now: clock.now });
    admin = (await loginPair(h.app, 'admin@example.com', 'admin-password-1')).access_token;
  });
  afterAll(async () => {
    await h.auth.account.idle();
    await stopExample(h);
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  /** A request with a bearer token (when given) and a JSON body (when given). */
  const call = (
    method: 'get' | 'post' | 'patch' | 'delete',
    path: string,
    token?: string,
    body?: unknown,
  ) => {
    const req = request(h.app)[method](path);
    const authed = token === undefined ? req : req.set('Authorization', bearer(token));
    return body === undefined ? authed : authed.send(body as object);
  };
  const post = (path: string, body: unknown, token?: string) => call('post', path, token, body);
  const me = (token: string) => request(h.app).get('/users/me').set('Authorization', bearer(token));
  const refresh = (token: string) => post('/auth/refresh', { refresh_token: token });

  /** Every line of the outbox so far, once the mail already started has been written. */
  async function outbox(): Promise<OutboxLine[]> {
    await h.auth.account.idle();
    const text = await readFile(outboxFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as OutboxLine);
  }

  async function mailsTo(to: string, kind: string): Promise<OutboxLine[]> {
    return (await outbox()).filter((m) => m.to === to && m.kind === kind);
  }

  /** An outbox line to `to` of `kind`, carrying a token. */
  const mailLine = (to: string, kind: string, userId = anyString()): OutboxLine => ({
    to,
    kind,
    token: anyString(),
    userId,
    sentAt: anyString(),
  });

  /** Asserts an answer with this status and an empty body. */
  function expectEmpty(res: request.Response, status: number): void {
    expect({ status: res.status, text: res.text }).toEqual({ status, text: '' });
  }

  /**
   * Posts `{ email }` to `path` for each address; asserts every answer is the same empty 202
   * (status, body and headers but the date). Returns the outbox lines those requests wrote.
   */
  async function sameAnswers(path: string, addresses: string[]): Promise<OutboxLine[]> {
    const before = (await outbox()).length;
    const answers: request.Response[] = [];
    for (const email of addresses) answers.push(await post(path, { email }));
    for (const res of answers) {
      expectEmpty(res, 202);
      expect(comparableHeaders(res)).toEqual(comparableHeaders(answers[0] as request.Response));
    }
    return (await outbox()).slice(before);
  }

  /** The token with its signature's last characters changed. */
  const tamper = (token: string): string => `${token.slice(0, -2)}AA`;

  /** Asks for a token through `path`, asserts that exactly one more mail came, returns its token. */
  async function mailedToken(path: string, email: string, kind: 'verify' | 'reset') {
    const before = (await mailsTo(email, kind)).length;
    const res = await post(path, { email });
    expectEmpty(res, 202);
    const mails = await mailsTo(email, kind);
    expect(mails.length).toBe(before + 1);
    const mail = mails[mails.length - 1];
    expect(mail).toEqual(mailLine(email, kind));
    return mail?.token ?? '';
  }
  const verifyToken = (email: string) => mailedToken('/auth/request-verify-token', email, 'verify');
  const resetToken = (email: string) => mailedToken('/auth/forgot-password', email, 'reset');

  /** Registers through the route; returns the new user's id. */
  async function registered(email: string, password = 'first-password'): Promise<number> {
    const res = await post('/auth/register', { email, password });
    expect(res.status, res.text).toBe(201);
    return (res.body as { id: number }).id;
  }

  /** The user as the example shows it, with these fields. */
  const publicUser = (fields: Partial<Record<keyof User, unknown>>) => ({
    id: anyNumber(),
    roles: ['user'],
    permissions: [],
    isActive: true,
    isVerified: false,
    createdAt: anyString(),
    ...fields,
  });

  /** Registers a fresh address and signs it in `sessions` times. */
  async function signedUp(sessions: number) {
    const email = fresh();
    const id = await registered(email);
    const pairs: PairBody[] = [];
    for (let i = 0; i < sessions; i++) pairs.push(await loginPair(h.app, email, 'first-password'));
    return { email, id, pairs };
  }

  /** Asserts that logging in with this password fails as any bad login does. */
  async function expectLoginRefused(email: string, password: string): Promise<void> {
    const res = await post('/auth/login', { email, password });
    expectError(res, 401, 'invalid_credentials', 'Bearer');
  }

  /** Asserts that both tokens of a pair are dead: 401 on /users/me and on refresh. */
  async function expectDead(pair: PairBody): Promise<void> {
    expectError(await me(pair.access_token), 401, 'token_revoked', REVOKED);
    expect((await refresh(pair.refresh_token)).status).toBe(401);
  }

  describe('POST /auth/register', () => {
    it('201 user; privileged fields ignored; no hash in the answer', async () => {
      const email = fresh();
      const res = await post('/auth/register', {
        email,
        password: 'first-password',
        roles: ['admin'],
        permissions: ['users:delete'],
        isActive: false,
        isVerified: true,
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual(publicUser({ email }));
      expect(res.text).not.toMatch(/passwordHash|\$2[aby]\$/);
    });

    it('409 email_taken for an address already registered, in any case', async () => {
      const email = fresh();
      await registered(email);
      for (const spelling of [email, email.toUpperCase(), ` ${email.replace('a', 'A')} `]) {
        expectError(
          await post('/auth/register', { email: spelling, password: 'x-password' }),
          409,
          'email_taken',
        );
      }
      expect(await h.dataSource.getRepository(User).countBy({ email })).toBe(1);
    });
  });

  describe('POST /auth/request-verify-token and POST /auth/verify', () => {
    it('202, identical for unknown, verified, inactive and unverified addresses; mail only to the registered active unverified one', async () => {
      const unverified = fresh();
      const inactive = fresh();
      await registered(unverified);
      const inactiveId = await registered(inactive);
      const off = await call('patch', `/users/${inactiveId}`, admin, { isActive: false });
      expect(off.status).toBe(200);
      const addresses = ['nobody@example.com', 'alice@example.com', inactive, unverified];
      const sent = await sameAnswers('/auth/request-verify-token', addresses);
      expect(sent).toEqual([mailLine(unverified, 'verify')]);
    });

    it('verify: 200 user, now verified; the token is spent', async () => {
      const email = fresh();
      const id = await registered(email);
      const token = await verifyToken(email);
      const res = await post('/auth/verify', { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(publicUser({ id, email, isVerified: true }));
      expectError(await post('/auth/verify', { token }), 400, 'invalid_verify_token');
    });

    it('verify: expired, forged, foreign-purpose and malformed tokens → 400 coded', async () => {
      const email = fresh();
      await registered(email);
      const good = await verifyToken(email);
      const reset = await resetToken(email);
      const pair = await loginPair(h.app, email, 'first-password');
      const { header, payload: claims } = claimsOf(good);
      const otherKey = forge(header, claims, { hmac: 'another-secret-of-at-least-32-characters!' });
      const bad = [
        tamper(good),
        otherKey,
        reset,
        pair.access_token,
        pair.refresh_token,
        'not-a-jwt',
        'a.b.c',
      ];
      for (const token of bad) {
        expectError(await post('/auth/verify', { token }), 400, 'invalid_verify_token');
      }
      for (const body of [{ token: 7 }, { token: '' }, { token: 'x'.repeat(5000) }, {}, [good]]) {
        expectError(await post('/auth/verify', body), 400, 'validation_failed');
      }
      clock.advance(24 * 60 * MINUTE + MINUTE); // verify tokens live 24 h
      try {
        expectError(await post('/auth/verify', { token: good }), 400, 'invalid_verify_token');
      } finally {
        clock.advance(-(24 * 60 * MINUTE + MINUTE));
      }
      const user = await h.dataSource.getRepository(User).findOneByOrFail({ email });
      expect(user.isVerified).toBe(false);
    });
  });

  describe('POST /auth/forgot-password and POST /auth/reset-password', () => {
    it('202, identical for every address; mail only to the registered active one', async () => {
      const addresses = ['nobody@example.com', 'inactive@example.com', 'alice@example.com'];
      const sent = await sameAnswers('/auth/forgot-password', addresses);
      expect(sent).toEqual([mailLine('alice@example.com', 'reset')]);
      for (const body of [{}, { email: 'not-an-email' }, { email: 5 }, ['alice@example.com']]) {
        expectError(await post('/auth/forgot-password', body), 400, 'validation_failed');
      }
    });

    it('reset: 204; the new password works, the old does not; every session revoked; the token spent', async () => {
      const { email, pairs } = await signedUp(2);
      const token = await resetToken(email);
      const res = await post('/auth/reset-password', { token, password: 'second-password' });
      expectEmpty(res, 204);
      for (const pair of pairs) await expectDead(pair);
      expectError(
        await post('/auth/reset-password', { token, password: 'third-password' }),
        400,
        'invalid_reset_token',
      );
      await expectLoginRefused(email, 'first-password');
      await loginPair(h.app, email, 'second-password');
    });

    it('a reset token issued before the password changed is dead; so is an expired one', async () => {
      const { email, pairs } = await signedUp(1);
      const older = await resetToken(email);
      const change = await post(
        '/users/me/password',
        { current_password: 'first-password', new_password: 'second-password' },
        pairs[0]?.access_token,
      );
      expect(change.status).toBe(204);
      expectError(
        await post('/auth/reset-password', { token: older, password: 'third-password' }),
        400,
        'invalid_reset_token',
      );
      const expiring = await resetToken(email);
      clock.advance(61 * MINUTE); // reset tokens live 1 h
      try {
        expectError(
          await post('/auth/reset-password', { token: expiring, password: 'third-password' }),
          400,
          'invalid_reset_token',
        );
      } finally {
        clock.advance(-61 * MINUTE);
      }
      await loginPair(h.app, email, 'second-password');
    });

    it('bad token → 400 invalid_reset_token; bad password → 400 coded, the token not spent', async () => {
      const email = fresh();
      await registered(email);
      const verify = await verifyToken(email);
      const token = await resetToken(email);
      for (const bad of [verify, tamper(token), 'not-a-jwt']) {
        expectError(
          await post('/auth/reset-password', { token: bad, password: 'second-password' }),
          400,
          'invalid_reset_token',
        );
      }
      const refusals: [unknown, string][] = [
        [{ token, password: 'short' }, 'validation_failed'],
        [{ token }, 'validation_failed'],
        [{ token, password: 12345678 }, 'validation_failed'],
        [{ token, password: 'p'.repeat(73) }, 'password_policy'],
        [{ password: 'second-password' }, 'validation_failed'],
        [[token], 'validation_failed'],
      ];
      for (const [body, code] of refusals) {
        expectError(await post('/auth/reset-password', body), 400, code);
      }
      const res = await post('/auth/reset-password', { token, password: 'second-password' });
      expect(res.status).toBe(204);
    });
  });

  describe('POST /users/me/password', () => {
    it('204; this session lives on, every other session is revoked; wrong current → 400 invalid_password', async () => {
      const { email, pairs } = await signedUp(2);
      const [mine, other] = pairs as [PairBody, PairBody];
      const change = (body: unknown) => post('/users/me/password', body, mine.access_token);

      const wrong = await change({
        current_password: 'not-my-password',
        new_password: 'second-password',
      });
      expectError(wrong, 400, 'invalid_password');
      for (const body of [
        { current_password: 'first-password' },
        { new_password: 'second-password' },
        { current_password: 'first-password', new_password: 'short' },
        [],
      ]) {
        expectError(await change(body), 400, 'validation_failed');
      }
      expect((await me(other.access_token)).status).toBe(200);

      const res = await change({
        current_password: 'first-password',
        new_password: 'second-password',
      });
      expectEmpty(res, 204);
      expect((await me(mine.access_token)).status).toBe(200);
      expect((await refresh(mine.refresh_token)).status).toBe(200);
      await expectDead(other);
      await expectLoginRefused(email, 'first-password');
      await loginPair(h.app, email, 'second-password');
    });

    it('without a token: 401 missing_credentials', async () => {
      const res = await post('/users/me/password', {
        current_password: 'first-password',
        new_password: 'second-password',
      });
      expectError(res, 401, 'missing_credentials', 'Bearer');
    });
  });

  describe('PATCH /users/me', () => {
    it('a changed email drops verified and mails a verify token to the new address; privileged fields are ignored', async () => {
      const email = fresh();
      const id = await registered(email);
      expect((await post('/auth/verify', { token: await verifyToken(email) })).status).toBe(200);
      const mine = await loginPair(h.app, email, 'first-password');
      const other = await loginPair(h.app, email, 'first-password');
      const patch = (body: unknown) => call('patch', '/users/me', mine.access_token, body);

      const privileged = await patch({
        roles: ['admin'],
        permissions: ['users:delete'],
        isActive: false,
        isVerified: false,
        password: 'hijacked-password',
        passwordHash: 'x',
      });
      expect(privileged.status).toBe(200);
      expect(privileged.body).toEqual(publicUser({ id, email, isVerified: true }));

      const renamed = fresh();
      const before = (await outbox()).length;
      const res = await patch({ email: renamed.toUpperCase(), roles: ['admin'] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(publicUser({ id, email: renamed, isVerified: false }));
      const sent = (await outbox()).slice(before);
      expect(sent).toEqual([mailLine(renamed, 'verify', String(id))]);
      // This session lives on; every other one is revoked (the library's choice).
      expect((await me(mine.access_token)).status).toBe(200);
      await expectDead(other);
      const verified = await post('/auth/verify', { token: sent[0]?.token });
      expect(verified.body).toEqual(publicUser({ id, email: renamed, isVerified: true }));
      await loginPair(h.app, renamed, 'first-password');
      await expectLoginRefused(email, 'first-password');

      expectError(await patch({ email: 'alice@example.com' }), 409, 'email_taken');
      expectError(await patch({ email: 'not-an-email' }), 400, 'validation_failed');
      expectError(await patch([{ email: renamed }]), 400, 'validation_failed');
    });
  });

  describe('DELETE /users/me', () => {
    it('wrong password → 400 invalid_password; with it → 204 and every token of the user dead', async () => {
      const { email, pairs } = await signedUp(2);
      const del = (body: unknown) => call('delete', '/users/me', pairs[0]?.access_token, body);

      expectError(await del({ password: 'not-my-password' }), 400, 'invalid_password');
      expectError(await del({}), 400, 'validation_failed');
      expect(await h.dataSource.getRepository(User).existsBy({ email })).toBe(true);

      const res = await del({ password: 'first-password' });
      expectEmpty(res, 204);
      for (const pair of pairs) await expectDead(pair);
      expect(await h.dataSource.getRepository(User).existsBy({ email })).toBe(false);
      await expectLoginRefused(email, 'first-password');
    });
  });

  describe('GET / PATCH / DELETE /users/:id', () => {
    const asAdmin = (method: 'get' | 'patch' | 'delete', path: string, body?: unknown) =>
      call(method, path, admin, body);

    it('GET with users:read → 200 user; unknown or malformed id → 404 user_not_found on all three', async () => {
      const email = fresh();
      const id = await registered(email);
      const res = await asAdmin('get', `/users/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(publicUser({ id, email }));
      expect(res.text).not.toMatch(/passwordHash|\$2[aby]\$/);
      for (const bad of ['999999', 'abc', '0', '-1', '1e3', '99999999999']) {
        const path = `/users/${bad}`;
        expectError(await asAdmin('get', path), 404, 'user_not_found');
        expectError(await asAdmin('patch', path, { isActive: true }), 404, 'user_not_found');
        expectError(await asAdmin('delete', path), 404, 'user_not_found');
      }
    });

    it('a plain user → 403 insufficient_scope on all three; no token → 401', async () => {
      const alice = (await loginPair(h.app, 'alice@example.com', 'alice-password-1')).access_token;
      const id = await registered(fresh());
      const path = `/users/${id}`;
      const scope = 'Bearer error="insufficient_scope"';
      expectError(await call('get', path, alice), 403, 'insufficient_scope', scope);
      const patched = await call('patch', path, alice, { roles: ['admin'] });
      expectError(patched, 403, 'insufficient_scope', scope);
      expectError(await call('delete', path, alice), 403, 'insufficient_scope', scope);
      expectError(await call('get', path), 401, 'missing_credentials', 'Bearer');
      const stored = await h.dataSource.getRepository(User).findOneByOrFail({ id });
      expect(stored.roles).toEqual(['user']);
    });

    it('PATCH with users:write sets isActive, isVerified and roles; deactivation kills the tokens at once', async () => {
      const { email, id, pairs } = await signedUp(1);
      const pair = pairs[0] as PairBody;
      const patch = (body: unknown) => asAdmin('patch', `/users/${id}`, body);

      const promoted = await patch({ roles: ['admin'], isVerified: true });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toEqual(publicUser({ id, email, roles: ['admin'], isVerified: true }));
      // Roles are read on each request: the token signed in as a user now lists users.
      expect((await call('get', '/admin/users', pair.access_token)).status).toBe(200);

      const off = await patch({ isActive: false });
      expect(off.status).toBe(200);
      expect(off.body).toEqual(
        publicUser({ id, email, roles: ['admin'], isVerified: true, isActive: false }),
      );
      await expectDead(pair);
      await expectLoginRefused(email, 'first-password');

      expect((await patch({ isActive: true, roles: ['user'] })).status).toBe(200);
      await loginPair(h.app, email, 'first-password');
      const badBodies = [
        { isActive: 'no' },
        { isVerified: 1 },
        { roles: 'admin' },
        { roles: [''] },
      ];
      for (const body of [...badBodies, [1]]) {
        expectError(await patch(body), 400, 'validation_failed');
      }
    });

    it('DELETE with users:delete → 204; the row is gone and every token dead', async () => {
      const { id, pairs } = await signedUp(1);
      const res = await asAdmin('delete', `/users/${id}`);
      expectEmpty(res, 204);
      await expectDead(pairs[0] as PairBody);
      expect(await h.dataSource.getRepository(User).existsBy({ id })).toBe(false);
      expectError(await asAdmin('delete', `/users/${id}`), 404, 'user_not_found');
      expectError(await asAdmin('get', `/users/${id}`), 404, 'user_not_found');
    });
  });
});
