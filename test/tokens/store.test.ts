import { expect, it } from 'vitest';
import { AUTH_ENTITIES, AuthTokenEntity, resolveAuthConfig, TokenService } from '../../src';
import { TokenStore } from '../../src/tokens/store';
import { TEST_SECRET, testClock } from '../support/clock';
import { QueryCounter } from '../support/query-counter';
import { closeDataSource, describeEngines, openDataSource } from '../support/engines';
import { coreSuite } from './conformance/core';
import { DAY, describeStoreConformance, payloadOf, type OpenStore } from './conformance/harness';
import { rotationSuite } from './conformance/rotation';
import { sessionSuite } from './conformance/sessions';
import { singleUseSuite } from './conformance/single-use';

/** The TypeORM store on a fresh, isolated database of the engine. */
export const openTypeOrmStore: OpenStore = async (engine) => {
  const ds = await openDataSource(engine, { entities: [...AUTH_ENTITIES] });
  return {
    store: new TokenStore(ds),
    tokenRows: async (userId) =>
      (await ds.getRepository(AuthTokenEntity).findBy({ userId }))
        .filter((row) => row.userId === userId)
        .map(({ jti, type, sessionId, replacedBy, revokedAt }) => ({
          jti,
          type,
          sessionId,
          replacedBy,
          revokedAt,
        })),
    close: () => closeDataSource(ds),
  };
};

describeStoreConformance('token store (TypeORM)', openTypeOrmStore, [
  coreSuite,
  rotationSuite,
  sessionSuite,
  singleUseSuite,
]);

describeEngines('TypeORM store: why ids are matched exactly', (engine) => {
  it('the database alone would match an upper-cased or space-padded jti on MariaDB only', async () => {
    const ds = await openDataSource(engine, { entities: [...AUTH_ENTITIES] });
    try {
      const store = new TokenStore(ds);
      const tokens = new TokenService(
        store,
        resolveAuthConfig({ secretKey: TEST_SECRET, now: testClock().now }, {}),
      );
      const pair = await tokens.createTokenPair('collation');
      const { jti } = payloadOf(pair.accessToken);
      const p = engine === 'postgres' ? '$1' : '?';
      const raw = async (value: string): Promise<number> =>
        (await ds.query<unknown[]>(`SELECT jti FROM auth_tokens WHERE jti = ${p}`, [value])).length;
      const folded = [await raw(jti.toUpperCase()), await raw(`${jti} `)];
      expect(folded).toEqual(engine === 'mariadb' ? [1, 1] : [0, 0]);
      // What the store answers is exact everywhere.
      expect(await store.lookup(jti.toUpperCase())).toBeNull();
      expect((await store.lookup(jti))?.jti).toBe(jti);
    } finally {
      await closeDataSource(ds);
    }
  });
});

describeEngines('TypeORM store: a purge runs in short transactions', (engine) => {
  it('each batch is its own transaction of at most purgeBatchSize rows of one table', async () => {
    const counter = new QueryCounter();
    const ds = await openDataSource(engine, { entities: [...AUTH_ENTITIES], logger: counter });
    try {
      const clock = testClock();
      const tokens = new TokenService(
        new TokenStore(ds),
        resolveAuthConfig({ secretKey: TEST_SECRET, now: clock.now, purgeBatchSize: 5 }, {}),
      );
      for (let i = 0; i < 7; i++) await tokens.createTokenPair('batched');
      clock.advance(8 * DAY);
      const live = await tokens.createTokenPair('batched');
      counter.reset();
      expect(await tokens.purgeExpired()).toEqual({ tokens: 14, sessions: 7 });
      const statements = counter.queries.map((q) => q.query);
      // Tokens 5 + 5 + 4, sessions 5 + 2: five transactions, one DELETE each.
      expect(statements.filter((q) => q === 'COMMIT')).toHaveLength(5);
      const deletes = counter.queries.filter((q) => q.query.startsWith('DELETE'));
      if (engine === 'mariadb') {
        // Keys selected first, then deleted by primary key.
        expect(deletes.map((q) => (q.parameters as unknown[]).length)).toEqual([5, 5, 4, 5, 2]);
      } else {
        // One statement per batch: the database picks at most 5 rows itself.
        // On PostgreSQL as `= ANY(ARRAY(…))`: the keys probed in key order.
        const shape =
          engine === 'postgres'
            ? / = ANY\(ARRAY\(SELECT .* LIMIT 5\)\)$/
            : / IN \(SELECT .* LIMIT 5\)$/;
        for (const q of deletes) expect(q.query).toMatch(shape);
      }
      expect(deletes.map((q) => /auth_(tokens|sessions)/.exec(q.query)?.[0])).toEqual([
        ...Array<string>(3).fill('auth_tokens'),
        ...Array<string>(2).fill('auth_sessions'),
      ]);
      expect(await ds.getRepository(AuthTokenEntity).count()).toBe(2);
      expect((await tokens.validateAccessToken(live.accessToken)).sub).toBe('batched');
    } finally {
      await closeDataSource(ds);
    }
  });
});
