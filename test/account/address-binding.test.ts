import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../support/engines';
import { expectError } from '../support/http';
import { buildGatedApp, gate, type GatedApp } from './gated';
import { signIn } from './support';

const bearer = (token: string): string => `Bearer ${token}`;

describeEngines('verify and reset tokens bound to their address (pen test F2)', (engine) => {
  let g: GatedApp;
  let serial = 0;
  const fresh = (): string => `bound${++serial}@example.com`;

  beforeAll(async () => {
    g = await buildGatedApp(engine);
  });
  afterAll(() => g.a.close());

  describe('F2: a verify or reset token is bound to the address it was mailed to', () => {
    it('(b) an admin changes the address: the verify and reset tokens of the old one are refused', async () => {
      const email = fresh();
      const next = fresh();
      const user = await g.a.make(email, 'password-one');
      expect((await g.post('/auth/request-verify-token', { email })).status).toBe(202);
      const verify = await g.lastMail(email, 'verify');
      expect((await g.post('/auth/forgot-password', { email })).status).toBe(202);
      const reset = await g.lastMail(email, 'reset');
      const patch = await request(g.a.app)
        .patch(`/users/${user.id}`)
        .set('Authorization', bearer(g.admin))
        .send({ email: next });
      expect(patch.status, patch.text).toBe(200);
      expectError(await g.post('/auth/verify', { token: verify }), 400, 'invalid_verify_token');
      expectError(
        await g.post('/auth/reset-password', { token: reset, password: 'password-new' }),
        400,
        'invalid_reset_token',
      );
      expect(await g.a.repo.findOneByOrFail({ id: user.id })).toMatchObject({
        email: next,
        isVerified: false,
      });
      await signIn(g.a.app, next, 'password-one');
    });

    it('a live token mailed to another address than the current one is refused, and spent', async () => {
      const email = fresh();
      const user = await g.a.make(email, 'password-one');
      const elsewhere = await g.a.auth.tokens.createToken('verify', user.id, {
        address: 'someone-else@example.com',
      });
      const nowhere = await g.a.auth.tokens.createToken('verify', user.id);
      for (const token of [elsewhere, nowhere]) {
        expectError(await g.post('/auth/verify', { token }), 400, 'invalid_verify_token');
      }
      const own = await g.a.auth.tokens.createToken('verify', user.id, { address: email });
      expect((await g.post('/auth/verify', { token: own })).status).toBe(200);
      expect((await g.a.repo.findOneByOrFail({ id: user.id })).isVerified).toBe(true);
    });

    it('(a) the address changes after the token was checked, before the flag is set: set back, 400', async () => {
      const email = fresh();
      const victim = fresh();
      const user = await g.a.make(email, 'password-one');
      const mine = await signIn(g.a.app, email, 'password-one');
      expect((await g.post('/auth/request-verify-token', { email })).status).toBe(202);
      const token = await g.lastMail(email, 'verify');
      const stop = gate();
      g.bridge.verified = stop;
      const answer = g.post('/auth/verify', { token }).then((res) => res);
      await stop.reached;
      try {
        const patch = await request(g.a.app)
          .patch('/users/me')
          .set('Authorization', bearer(mine.access))
          .send({ email: victim });
        expect(patch.status, patch.text).toBe(200);
      } finally {
        stop.open();
      }
      expectError(await answer, 400, 'invalid_verify_token');
      expect(await g.a.repo.findOneByOrFail({ id: user.id })).toMatchObject({
        email: victim,
        isVerified: false,
      });
    });

    for (const who of ['the user', 'an admin'] as const) {
      it(`${who} changes the address: the old address's tokens are dead before it is written`, async () => {
        const email = fresh();
        const next = fresh();
        const user = await g.a.make(email, 'password-one');
        const mine = await signIn(g.a.app, email, 'password-one');
        expect((await g.post('/auth/request-verify-token', { email })).status).toBe(202);
        const verify = await g.lastMail(email, 'verify');
        expect((await g.post('/auth/forgot-password', { email })).status).toBe(202);
        const reset = await g.lastMail(email, 'reset');
        const stop = gate();
        g.bridge.address = stop;
        const patch = (
          who === 'the user'
            ? request(g.a.app).patch('/users/me').set('Authorization', bearer(mine.access))
            : request(g.a.app).patch(`/users/${user.id}`).set('Authorization', bearer(g.admin))
        )
          .send({ email: next })
          .then((res) => res);
        await stop.reached;
        try {
          // The address is still the old one: only the revocation can refuse these.
          expect((await g.a.repo.findOneByOrFail({ id: user.id })).email).toBe(email);
          expectError(await g.post('/auth/verify', { token: verify }), 400, 'invalid_verify_token');
          expectError(
            await g.post('/auth/reset-password', { token: reset, password: 'password-new' }),
            400,
            'invalid_reset_token',
          );
        } finally {
          stop.open();
        }
        expect((await patch).status).toBe(200);
        // The user's change mails the new address; after an admin's, the user asks for a token.
        if (who === 'an admin') {
          expect((await g.post('/auth/request-verify-token', { email: next })).status).toBe(202);
        }
        const token = await g.lastMail(next, 'verify');
        expect((await g.post('/auth/verify', { token })).status).toBe(200);
        expect(await g.a.repo.findOneByOrFail({ id: user.id })).toMatchObject({
          email: next,
          isVerified: true,
        });
      });
    }
  });
});
