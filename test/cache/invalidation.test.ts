import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../src';
import { describeEngines } from '../support/engines';
import { TestUser } from '../support/users';
import {
  listening,
  me,
  openInstances,
  PASSWORD,
  refusedEventually,
  warm,
  type Instance,
  type Instances,
} from './instances';

const REVOKED = { status: 401, code: 'token_revoked' };
const INVALID = { status: 401, code: 'invalid_token' };

// Two instances of one app on one database (two DataSources, two setups), the cache on in both:
// a revocation on A reaches B through the channel (NOTIFY, Redis, or the in-process bus), and B
// refuses the token it had cached. Every token is first proven hot on B (no store query).
describeEngines('validation cache across instances', (engine) => {
  let t: Instances;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    t = await openInstances(engine);
    ({ a, b } = t);
    expect(await listening(a.auth)).toBe(true);
    expect(await listening(b.auth)).toBe(true);
  });
  afterAll(() => t.close());

  const login = async (on: Instance = a, email = 'alice@example.com') => {
    const res = await request(on.app).post('/auth/login').send({ email, password: PASSWORD });
    expect(res.status).toBe(200);
    return res.body as { access_token: string; refresh_token: string };
  };
  const bearer = (token: string) => `Bearer ${token}`;

  it('logout on A: B refuses the session’s access token', async () => {
    const pair = await login();
    expect(await warm(b, pair.access_token)).toBe(0);
    const res = await request(a.app)
      .post('/auth/logout')
      .set('Authorization', bearer(pair.access_token));
    expect(res.status).toBe(204);
    expect(await refusedEventually(b, pair.access_token)).toEqual(REVOKED);
  });

  it('logout-all on A: B refuses every session of the user', async () => {
    const first = await login();
    const second = await login();
    expect(await warm(b, first.access_token)).toBe(0);
    expect(await warm(b, second.access_token)).toBe(0);
    const res = await request(a.app)
      .post('/auth/logout-all')
      .set('Authorization', bearer(first.access_token));
    expect(res.status).toBe(204);
    expect(await refusedEventually(b, first.access_token)).toEqual(REVOKED);
    expect(await refusedEventually(b, second.access_token)).toEqual(REVOKED);
  });

  it('one session revoked by id on A (sign out that device): B refuses it, keeps the other', async () => {
    const kept = await login();
    const gone = await login();
    expect(await warm(b, kept.access_token)).toBe(0);
    expect(await warm(b, gone.access_token)).toBe(0);
    const sid = a.auth.tokens.verify(gone.access_token, 'access').sid;
    const res = await request(a.app)
      .delete(`/auth/sessions/${sid}`)
      .set('Authorization', bearer(kept.access_token));
    expect(res.status).toBe(204);
    expect(await refusedEventually(b, gone.access_token)).toEqual(REVOKED);
    b.counter.reset();
    expect(await me(b, kept.access_token)).toEqual({ status: 200, code: undefined });
    expect(b.storeQueries()).toBe(0);
  });

  it('one token revoked on A (TokenService.revokeToken): B refuses it', async () => {
    const pair = await login();
    expect(await warm(b, pair.access_token)).toBe(0);
    expect(await a.auth.tokens.revokeToken(pair.access_token)).toBe(true);
    expect(await refusedEventually(b, pair.access_token)).toEqual(REVOKED);
  });

  it('rotation on A: the generations it deletes die on B too', async () => {
    const pair = await login();
    expect(await warm(b, pair.access_token)).toBe(0);
    let refresh = pair.refresh_token;
    for (let i = 0; i < 2; i++) {
      const res = await request(a.app).post('/auth/refresh').set('Authorization', bearer(refresh));
      expect(res.status).toBe(200);
      refresh = (res.body as { refresh_token: string }).refresh_token;
    }
    // Two rotations on: generation 0's rows are gone, so its access token is unknown.
    expect(await refusedEventually(b, pair.access_token)).toEqual(INVALID);
  });

  it('reuse detected on A: B refuses the session’s newest access token', async () => {
    const pair = await login();
    const next = await request(a.app)
      .post('/auth/refresh')
      .set('Authorization', bearer(pair.refresh_token));
    expect(next.status).toBe(200);
    const current = (next.body as { access_token: string }).access_token;
    expect(await warm(b, current)).toBe(0);
    const replay = await request(a.app)
      .post('/auth/refresh')
      .set('Authorization', bearer(pair.refresh_token));
    expect(replay.status).toBe(401);
    expect((replay.body as { code: string }).code).toBe('refresh_token_reused');
    expect(await refusedEventually(b, current)).toEqual(REVOKED);
  });

  it('revokeAllForUser on A (deactivation, deletion, password reset): B refuses all but `except`', async () => {
    const gone = await login(a, 'bob@example.com');
    const kept = await login(a, 'bob@example.com');
    const alices = await login();
    for (const token of [gone.access_token, kept.access_token, alices.access_token]) {
      expect(await warm(b, token)).toBe(0);
    }
    const except = a.auth.tokens.verify(kept.access_token, 'access').sid;
    expect(await a.auth.tokens.revokeAllForUser(t.bob.id, { except })).toBe(1);
    expect(await refusedEventually(b, gone.access_token)).toEqual(REVOKED);
    b.counter.reset();
    expect(await me(b, kept.access_token)).toEqual({ status: 200, code: undefined });
    expect(await me(b, alices.access_token)).toEqual({ status: 200, code: undefined });
    expect(b.storeQueries()).toBe(0);
    // Without `except` (an account deleted): the last one goes too.
    expect(await a.auth.tokens.revokeAllForUser(t.bob.id)).toBe(1);
    expect(await refusedEventually(b, kept.access_token)).toEqual(REVOKED);
  });

  it('a session evicted by maxSessionsPerUser on A: B refuses it', async () => {
    const capped = await t.open({ maxSessionsPerUser: 2 });
    expect(await listening(capped.auth)).toBe(true);
    const repo = a.ds.getRepository(TestUser);
    await repo.save(
      repo.create({
        email: 'carol@example.com',
        passwordHash: await hashPassword(PASSWORD, 4),
        roles: ['user'],
        permissions: [],
        isActive: true,
        isVerified: false,
      }),
    );
    const oldest = await login(capped, 'carol@example.com');
    t.clock.advance(1_000);
    const middle = await login(capped, 'carol@example.com');
    expect(await warm(b, oldest.access_token)).toBe(0);
    expect(await warm(b, middle.access_token)).toBe(0);
    t.clock.advance(1_000);
    await login(capped, 'carol@example.com'); // the third: the oldest is revoked
    expect(await refusedEventually(b, oldest.access_token)).toEqual(REVOKED);
    b.counter.reset();
    expect(await me(b, middle.access_token)).toEqual({ status: 200, code: undefined });
    expect(b.storeQueries()).toBe(0);
  });

  it('a purge on A: B drops what it deleted and keeps the rest', async () => {
    const fresh = await t.open(); // an empty cache to count in
    expect(await listening(fresh.auth)).toBe(true);
    const early = await a.auth.tokens.createAccessToken(t.alice.id); // its own session, ends with it
    t.clock.advance(10 * 60_000);
    const later = await a.auth.tokens.createAccessToken(t.alice.id);
    expect(await warm(fresh, early)).toBe(0);
    expect(await warm(fresh, later)).toBe(0);
    expect(fresh.auth.status().validationCache?.entries).toBe(2);
    t.clock.advance(6 * 60_000); // `early` (15 min) is past its end and the leeway; `later` is not
    const purged = await a.auth.tokens.purgeExpired();
    expect(purged.tokens).toBeGreaterThanOrEqual(1);
    let entries = fresh.auth.status().validationCache?.entries;
    for (let i = 0; i < 200 && entries !== 1; i++) {
      await new Promise((r) => setTimeout(r, 25));
      entries = fresh.auth.status().validationCache?.entries;
    }
    expect(entries).toBe(1);
    expect(await me(fresh, early)).toEqual({ status: 401, code: 'token_expired' });
  });
});
