import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BCRYPT_COST, hashPassword, PasswordHasher } from '../../src';
import { User } from '../../example/user.entity';
import {
  startExample,
  stopExample,
  TEST_OPTIONS,
  type ExampleHarness,
} from '../support/http/example';

const costOf = (hash: string): number => Number(hash.slice(4, 6));

describe('the configured hasher is the setup’s (issue 8, item 2)', () => {
  let h: ExampleHarness;
  beforeAll(async () => {
    h = await startExample('sqlite', { ...TEST_OPTIONS, bcryptCost: 5, passwordConcurrency: 2 });
  });
  afterAll(() => stopExample(h));

  it('auth.passwords carries bcryptCost, and the bridge checks passwords with that very hasher', async () => {
    expect(h.auth.passwords).toBeInstanceOf(PasswordHasher);
    expect(h.auth.passwords.cost).toBe(5);
    expect(h.auth.userAuthentication.passwords).toBe(h.auth.passwords);
    expect(costOf(await h.auth.passwords.hash('a-password-1'))).toBe(5);
  });

  it('a registration (the example, written like the README) stores a hash at the configured cost', async () => {
    const res = await request(h.app)
      .post('/auth/register')
      .send({ email: 'cost@example.com', password: 'cost-password-1' });
    expect(res.status, res.text).toBe(201);
    const row = await h.dataSource
      .getRepository(User)
      .findOneByOrFail({ email: 'cost@example.com' });
    expect(costOf(row.passwordHash)).toBe(5);
  });

  it('the demo users were seeded with it too', async () => {
    const alice = await h.dataSource
      .getRepository(User)
      .findOneByOrFail({ email: 'alice@example.com' });
    expect(costOf(alice.passwordHash)).toBe(5);
  });

  it('the standalone helpers say what they default to: cost 12, their own argument otherwise', async () => {
    expect(DEFAULT_BCRYPT_COST).toBe(12);
    expect(costOf(await hashPassword('a-password-1', 4))).toBe(4);
    expect(new PasswordHasher().cost).toBe(12);
  });
});
