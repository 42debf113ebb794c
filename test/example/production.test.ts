import { PasswordHasher } from 'routing-controllers-auth';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDemoUsers, prepareDemoUsers } from '../../example/seed';
import { User } from '../../example/user.entity';
import { describeEngines } from '../support/engines';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';

const PRODUCTION = { NODE_ENV: 'production' };
const NOT_SEEDED =
  'NODE_ENV=production: demo users are not seeded (create accounts with POST /auth/register).';
const hasher = new PasswordHasher(4);

describeEngines('example app: demo users and NODE_ENV=production', (engine) => {
  let h: ExampleHarness;
  beforeAll(async () => {
    h = await startExample(engine, undefined, { seed: false });
  });
  afterAll(() => stopExample(h));

  it('production: seeds nothing, prints no password, says so; alice cannot log in', async () => {
    const printed = await prepareDemoUsers(h.dataSource, hasher, PRODUCTION);
    expect(printed).toBe(NOT_SEEDED);
    expect(await h.dataSource.getRepository(User).count()).toBe(0);
    const res = await request(h.app)
      .post('/auth/login')
      .send({ email: 'alice@example.com', password: 'alice-password-1' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      name: 'InvalidCredentialsError',
      code: 'invalid_credentials',
      message: 'Incorrect username or password.',
    });
  });

  it('outside production: seeds on first start and lists the accounts, then only lists them', async () => {
    expect(await prepareDemoUsers(h.dataSource, hasher, { NODE_ENV: 'development' })).toBe(
      `Seeded users (email / password):\n${describeDemoUsers()}`,
    );
    expect(await h.dataSource.getRepository(User).count()).toBe(3);
    expect(await prepareDemoUsers(h.dataSource, hasher, {})).toBe(
      `Demo users (email / password):\n${describeDemoUsers()}`,
    );
    expect(await h.dataSource.getRepository(User).count()).toBe(3);
  });

  it('production on a database that holds demo accounts: warns about each, no password', async () => {
    const printed = await prepareDemoUsers(h.dataSource, hasher, PRODUCTION);
    expect(printed.split('\n')).toEqual([
      NOT_SEEDED,
      ...['alice', 'admin', 'inactive'].map(
        (name) =>
          `WARNING: demo account ${name}@example.com exists and its password is public: ` +
          'delete it or change its password.',
      ),
    ]);
    expect(printed).not.toMatch(/-password-1/);
  });
});
