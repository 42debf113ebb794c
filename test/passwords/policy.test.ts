import bcrypt from 'bcrypt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertHashablePassword,
  hashPassword,
  PasswordHasher,
  PasswordPolicyError,
  verifyPassword,
} from '../../src';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';
import { buildTestApp, type TestApp } from '../support/app';

const POLICY = {
  name: 'PasswordPolicyError',
  code: 'password_policy',
  message: 'The password must be well-formed Unicode text (it contains a lone surrogate).',
};

describe('passwords must be well-formed Unicode (pen test finding 7)', () => {
  it('why: bcrypt hashes every lone surrogate as U+FFFD, so they would all match each other', async () => {
    const hash = await bcrypt.hash('pass-\ud800', 4);
    expect(await bcrypt.compare('pass-\udfff', hash)).toBe(true);
    expect(await bcrypt.compare('pass-\ufffd', hash)).toBe(true);
  });

  it('refuses a lone high or low surrogate anywhere; accepts paired ones', async () => {
    for (const password of ['\ud800', 'pass-\udc00-word', 'emoji-\ud83d', '\ude00tail']) {
      expect(() => {
        assertHashablePassword(password);
      }).toThrow(PasswordPolicyError);
      await expect(hashPassword(password, 4)).rejects.toMatchObject(POLICY);
    }
    const hash = await hashPassword('emoji-😀-ok', 4);
    expect(await verifyPassword('emoji-😀-ok', hash)).toBe(true);
    await expect(verifyPassword('emoji-\ud83d-ok', hash)).rejects.toBeInstanceOf(
      PasswordPolicyError,
    );
    const hasher = new PasswordHasher(4);
    await expect(hasher.check(hash, '\udfff')).rejects.toMatchObject(POLICY);
    await expect(hasher.hash('\udfff')).rejects.toMatchObject(POLICY);
  });

  describe('over HTTP', () => {
    let t: TestApp;
    let h: ExampleHarness;
    beforeAll(async () => {
      h = await startExample('sqlite');
    });
    afterAll(async () => {
      await stopExample(h);
      await t.close();
    });

    it('a login with a lone surrogate in the password answers 400 password_policy', async () => {
      t = await buildTestApp('sqlite');
      for (const body of [
        { email: 'alice@example.com', password: 'alice-password-\ud800' },
        { email: 'nobody@example.com', password: '\udfff' },
      ]) {
        const res = await request(t.app).post('/auth/login').send(body);
        expect(res.status).toBe(400);
        expect(res.body).toEqual(POLICY);
      }
    });

    it('the example refuses to register one with 400 password_policy', async () => {
      const res = await request(h.app)
        .post('/auth/register')
        .send({ email: 'eve@example.com', password: 'eve-password-\ud800' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(POLICY);
    });
  });
});
