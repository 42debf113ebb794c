import { PasswordHasher } from 'routing-controllers-auth';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../example/user.entity';
import { describeEngines } from '../support/engines';
import { bearer, expectCoded, loginPair } from '../support/http';
import { startExample, stopExample, type ExampleHarness } from '../support/http/example';

interface PublicUserBody {
  id: number;
  email: string;
  roles: string[];
}

describeEngines('example app: /users, /admin, /health', (engine) => {
  let h: ExampleHarness;
  let alice: string;
  let admin: string;
  beforeAll(async () => {
    h = await startExample(engine);
    alice = (await loginPair(h.app, 'alice@example.com', 'alice-password-1')).access_token;
    admin = (await loginPair(h.app, 'admin@example.com', 'admin-password-1')).access_token;
  });
  afterAll(() => stopExample(h));

  /** Creates a user straight in the database and returns its id. */
  async function createUser(email: string, fields: Partial<User> = {}): Promise<number> {
    const users = h.dataSource.getRepository(User);
    const user = await users.save(
      users.create({
        email,
        passwordHash: await new PasswordHasher(4).hash(`${email}-password`),
        roles: ['user'],
        permissions: [],
        ...fields,
      }),
    );
    return user.id;
  }

  describe('GET /users/me', () => {
    it('returns the current user without the hash', async () => {
      const res = await request(h.app).get('/users/me').set('Authorization', bearer(alice));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        email: 'alice@example.com',
        roles: ['user'],
        isActive: true,
      });
      expect(res.body).not.toHaveProperty('passwordHash');
      expect(res.text).not.toMatch(/\$2[aby]\$/);
    });

    it('is 401 with a bare Bearer challenge without a token', async () => {
      const res = await request(h.app).get('/users/me');
      expect(res.status).toBe(401);
      expect(res.get('WWW-Authenticate')).toBe('Bearer');
      expectCoded(res.body, 'missing_credentials');
    });

    it('is 401 invalid_token for a garbage token', async () => {
      const res = await request(h.app).get('/users/me').set('Authorization', bearer('not.a.jwt'));
      expect(res.status).toBe(401);
      expect(res.get('WWW-Authenticate')).toMatch(/error="invalid_token"/);
    });
  });

  describe('GET /admin/users', () => {
    it('is 403 for alice', async () => {
      const res = await request(h.app).get('/admin/users').set('Authorization', bearer(alice));
      expect(res.status).toBe(403);
      expect(res.get('WWW-Authenticate')).toMatch(/insufficient_scope/);
      expectCoded(res.body, 'insufficient_scope');
    });

    it('is 401 without a token', async () => {
      const res = await request(h.app).get('/admin/users');
      expect(res.status).toBe(401);
      expect(res.get('WWW-Authenticate')).toBe('Bearer');
    });

    it('lists every user for the admin, without hashes', async () => {
      const res = await request(h.app).get('/admin/users').set('Authorization', bearer(admin));
      expect(res.status).toBe(200);
      const emails = (res.body as PublicUserBody[]).map((u) => u.email);
      expect(emails).toEqual(
        expect.arrayContaining(['alice@example.com', 'admin@example.com', 'inactive@example.com']),
      );
      expect(res.text).not.toMatch(/passwordHash|\$2[aby]\$/);
    });
  });

  describe('DELETE /admin/users/:id', () => {
    it('is 403 for alice and for an admin without users:delete', async () => {
      const victim = await createUser('victim1@example.com');
      const reader = await createUser('reader@example.com', {
        roles: ['admin'],
        permissions: ['users:read'],
      });
      expect(reader).toBe(victim + 1);
      const readerToken = (
        await loginPair(h.app, 'reader@example.com', 'reader@example.com-password')
      ).access_token;
      for (const token of [alice, readerToken]) {
        const res = await request(h.app)
          .delete(`/admin/users/${victim}`)
          .set('Authorization', bearer(token));
        expect(res.status).toBe(403);
        expectCoded(res.body, 'insufficient_scope');
      }
      expect(await h.dataSource.getRepository(User).existsBy({ id: victim })).toBe(true);
    });

    it('is 401 without a token', async () => {
      const res = await request(h.app).delete('/admin/users/1');
      expect(res.status).toBe(401);
    });

    it('deletes with users:delete: 204, and the user’s tokens and login die', async () => {
      const id = await createUser('victim2@example.com');
      const victim = await loginPair(h.app, 'victim2@example.com', 'victim2@example.com-password');
      const res = await request(h.app)
        .delete(`/admin/users/${id}`)
        .set('Authorization', bearer(admin));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await h.dataSource.getRepository(User).existsBy({ id })).toBe(false);

      const me = await request(h.app)
        .get('/users/me')
        .set('Authorization', bearer(victim.access_token));
      expect(me.status).toBe(401);
      const again = await request(h.app).post('/auth/login').send({
        email: 'victim2@example.com',
        password: 'victim2@example.com-password',
      });
      expect(again.status).toBe(401);
    });

    it('is 404 user_not_found for an unknown id', async () => {
      const res = await request(h.app)
        .delete('/admin/users/999999')
        .set('Authorization', bearer(admin));
      expect(res.status).toBe(404);
      expectCoded(res.body, 'user_not_found');
    });

    it.each(['abc', '1e3', '0', '-1', '1.5', '99999999999'])(
      'is 400 invalid_user_id for id %s',
      async (id) => {
        const res = await request(h.app)
          .delete(`/admin/users/${id}`)
          .set('Authorization', bearer(admin));
        expect(res.status).toBe(400);
        expectCoded(res.body, 'invalid_user_id');
      },
    );
  });

  describe('GET /health', () => {
    it('is 200 { status: "ok" } while the database answers', async () => {
      const res = await request(h.app).get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    // Last: it closes the database.
    it('is 503 database_unavailable once the database is gone', async () => {
      await h.dataSource.destroy();
      const res = await request(h.app).get('/health');
      expect(res.status).toBe(503);
      expectCoded(res.body, 'database_unavailable');
    });
  });
});
