import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AddSessionGenerations1764547200000,
  AUTH_ENTITIES,
  AuthError,
  CreateAuthTables1732233600000,
  encodeToken,
  resolveAuthConfig,
  TokenService,
  type TokenClaims,
} from '../../src';
import { TEST_SECRET, testClock } from '../support/clock';
import { closeDataSource, describeEngines, openDataSource } from '../support/engines';

describeEngines('migration upgrade', (engine) => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await openDataSource(engine, { entities: [...AUTH_ENTITIES], synchronize: false });
  });
  afterAll(() => closeDataSource(ds));

  it('tables made by the first migration upgrade in place; tokens issued before keep working', async () => {
    const clock = testClock();
    const config = resolveAuthConfig({ secretKey: TEST_SECRET, now: clock.now }, {});
    const runner = ds.createQueryRunner();
    try {
      await new CreateAuthTables1732233600000().up(runner);
      // A session and its pair as the first version recorded and signed them (no `gen`).
      const sid = randomUUID();
      const iat = Math.floor(clock.now() / 1000);
      const end = iat + 7 * 86_400;
      const base = { sub: 'veteran', sid, iat, iss: config.issuer, aud: config.audience };
      const access: TokenClaims = { ...base, jti: randomUUID(), type: 'access', exp: iat + 900 };
      const refresh: TokenClaims = { ...base, jti: randomUUID(), type: 'refresh', exp: end };
      const p = (n: number): string => (engine === 'postgres' ? `$${n}` : '?');
      await runner.query(
        `INSERT INTO auth_sessions (id, user_id, created_at, last_used_at, expires_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`,
        [sid, 'veteran', iat * 1000, iat * 1000, end * 1000],
      );
      for (const c of [access, refresh]) {
        await runner.query(
          `INSERT INTO auth_tokens (jti, session_id, user_id, type, created_at, expires_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`,
          [c.jti, sid, 'veteran', c.type, c.iat * 1000, c.exp * 1000],
        );
      }
      await new AddSessionGenerations1764547200000().up(runner);

      const tokens = new TokenService(ds, config);
      const oldAccess = encodeToken(access, config);
      const oldRefresh = encodeToken(refresh, config);
      expect((await tokens.validateAccessToken(oldAccess)).jti).toBe(access.jti);
      expect((await tokens.listSessions('veteran')).map((s) => s.id)).toEqual([sid]);
      const next = await tokens.refresh(oldRefresh);
      expect(next.sessionId).toBe(sid);
      const error = await tokens.refresh(oldRefresh).catch((e: unknown) => e);
      expect((error as AuthError).code).toBe('refresh_token_reused');

      // Both migrations are reversible.
      await new AddSessionGenerations1764547200000().down(runner);
      expect((await runner.getTable('auth_sessions'))?.columns.map((c) => c.name).sort()).toEqual([
        'created_at',
        'expires_at',
        'id',
        'ip',
        'last_used_at',
        'revoked_at',
        'user_agent',
        'user_id',
      ]);
      await new CreateAuthTables1732233600000().down(runner);
      expect(await runner.hasTable('auth_tokens')).toBe(false);
    } finally {
      await runner.release();
    }
  });
});
