import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src';
import { buildTestApp, PASSWORDS, type TestApp } from '../support/app';
import { describeEngines } from '../support/engines';
import { TestUser } from '../support/users';
import { bearer, expectError, loginPair, me } from '../support/http';

const BOB = { email: 'bob@b.example', password: 'bob-password-1' };

/** Bob exists only in the given app's user table. */
async function seedBob(t: TestApp): Promise<void> {
  const repo = t.ds.getRepository(TestUser);
  await repo.save(
    repo.create({
      email: BOB.email,
      passwordHash: await hashPassword(BOB.password, 4),
      roles: ['user'],
      permissions: [],
    }),
  );
}

describeEngines('two setups in one process', (engine) => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    // Both apps exist before either serves a request: the second setup must not rewire the first.
    a = await buildTestApp(engine, { accessTokenExpireMinutes: 5 });
    b = await buildTestApp(engine, {
      secretKey: randomBytes(48).toString('base64url'),
      accessTokenExpireMinutes: 20,
      roleHierarchy: {},
    });
    await seedBob(b);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const login = (t: TestApp, email: string, password: string) =>
    request(t.app).post('/auth/login').send({ email, password });

  it('each logs in its own users, with its own bridge and DataSource', async () => {
    expect((await login(b, BOB.email, BOB.password)).status).toBe(200);
    expectError(await login(a, BOB.email, BOB.password), 401, 'invalid_credentials', 'Bearer');
    expect((await login(a, 'alice@example.com', PASSWORDS.alice)).status).toBe(200);
  });

  it('each answers its own expires_in', async () => {
    const fromA = await loginPair(a.app, 'alice@example.com', PASSWORDS.alice);
    const fromB = await loginPair(b.app, 'alice@example.com', PASSWORDS.alice);
    expect(fromA.expires_in).toBe(300);
    expect(fromB.expires_in).toBe(1200);
  });

  it("each refuses the other's tokens and accepts its own", async () => {
    const tokenA = await loginPair(a.app, 'alice@example.com', PASSWORDS.alice);
    const tokenB = await loginPair(b.app, 'alice@example.com', PASSWORDS.alice);
    expect((await me(a.app, tokenA.access_token)).status).toBe(200);
    expect((await me(b.app, tokenB.access_token)).status).toBe(200);
    expectError(
      await me(a.app, tokenB.access_token),
      401,
      'invalid_token',
      'Bearer error="invalid_token"',
    );
    expectError(
      await me(b.app, tokenA.access_token),
      401,
      'invalid_token',
      'Bearer error="invalid_token"',
    );
  });

  it('each applies its own role hierarchy', async () => {
    const token = async (t: TestApp) =>
      (await loginPair(t.app, 'admin@example.com', PASSWORDS.admin)).access_token;
    // A: admin includes moderator; B: no hierarchy.
    const onA = await request(a.app)
      .get('/t/moderator')
      .set('Authorization', bearer(await token(a)));
    const onB = await request(b.app)
      .get('/t/moderator')
      .set('Authorization', bearer(await token(b)));
    expect(onA.status).toBe(200);
    expectError(onB, 403, 'insufficient_scope', 'Bearer error="insufficient_scope"');
  });

  it("each setup's status and hasher are its own", () => {
    expect(a.auth.status().accessTokenTtlSeconds).toBe(300);
    expect(b.auth.status().accessTokenTtlSeconds).toBe(1200);
    // The lifetimes and the purge schedule (none here) of each setup.
    expect(a.auth.status().refreshTokenTtlSeconds).toBe(7 * 24 * 3600);
    expect(a.auth.status().purgeIntervalSeconds).toBeNull();
    expect(a.auth.tokens).not.toBe(b.auth.tokens);
    expect(a.auth.userAuthentication.passwords).toBe(a.auth.passwords);
    expect(b.auth.userAuthentication.passwords).toBe(b.auth.passwords);
  });
});

describe('an app with its own setup mounted inside another (pen test II, F3)', () => {
  let outer: TestApp;
  let inner: TestApp;
  let mounted: express.Express;

  beforeAll(async () => {
    outer = await buildTestApp('sqlite', { accessTokenExpireMinutes: 5 });
    inner = await buildTestApp('sqlite', {
      secretKey: randomBytes(48).toString('base64url'),
      accessTokenExpireMinutes: 20,
    });
    await seedBob(inner);
    // outer.app already has the outer setup's routes; the inner app goes under /b.
    mounted = outer.app;
    mounted.use('/b', inner.app);
  });
  afterAll(async () => {
    await outer.close();
    await inner.close();
  });

  it('under /b the inner setup logs in its own users and answers its own lifetime', async () => {
    const bob = await request(mounted).post('/b/auth/login').send(BOB);
    expect(bob.status, bob.text).toBe(200);
    expect((bob.body as { expires_in: number }).expires_in).toBe(1200);
    expectError(
      await request(mounted).post('/auth/login').send(BOB),
      401,
      'invalid_credentials',
      'Bearer',
    );
  });

  it("each part refuses the other's tokens, on decorators and @Authorized alike", async () => {
    const outerToken = (
      (
        await request(mounted)
          .post('/auth/login')
          .send({ email: 'alice@example.com', password: PASSWORDS.alice })
      ).body as { access_token: string }
    ).access_token;
    const innerToken = (
      (await request(mounted).post('/b/auth/login').send(BOB)).body as { access_token: string }
    ).access_token;
    const invalid = 'Bearer error="invalid_token"';
    const cases: [paths: string[], refused: string, accepted: string][] = [
      [['/b/t/me', '/b/t/any'], outerToken, innerToken],
      [['/t/me', '/t/any'], innerToken, outerToken],
    ];
    for (const [paths, refused, accepted] of cases) {
      for (const path of paths) {
        const bearer = (token: string) =>
          request(mounted).get(path).set('Authorization', `Bearer ${token}`);
        expectError(await bearer(refused), 401, 'invalid_token', invalid);
        expect((await bearer(accepted)).status).toBe(200);
      }
    }
  });
});
