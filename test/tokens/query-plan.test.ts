import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AUTH_ENTITIES, AUTH_MIGRATIONS, resolveAuthConfig, TokenService } from '../../src';
import { TEST_SECRET } from '../support/clock';
import { closeDataSource, describeEngines, openDataSource } from '../support/engines';
import { QueryCounter } from '../support/query-counter';

async function plan(
  ds: DataSource,
  engine: string,
  sql: string,
  parameters: unknown[],
): Promise<string> {
  const runner = ds.createQueryRunner();
  try {
    if (engine === 'sqlite') {
      const rows = (await runner.query(`EXPLAIN QUERY PLAN ${sql}`, parameters)) as {
        detail: string;
      }[];
      return rows.map((r) => r.detail).join('\n');
    }
    if (engine === 'postgres') {
      // Tiny tables make a sequential scan cheapest; forbid it so the plan shows whether an index exists.
      await runner.query('SET enable_seqscan = off');
      const rows = (await runner.query(`EXPLAIN ${sql}`, parameters)) as { 'QUERY PLAN': string }[];
      await runner.query('RESET enable_seqscan');
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    }
    const rows = (await runner.query(`EXPLAIN ${sql}`, parameters)) as {
      table: string;
      type: string;
      key: string | null;
    }[];
    return rows.map((r) => `${r.table} type=${r.type} key=${String(r.key)}`).join('\n');
  } finally {
    await runner.release();
  }
}

describeEngines('validation cost', (engine) => {
  let ds: DataSource;
  const counter = new QueryCounter();
  let tokens: TokenService;

  beforeAll(async () => {
    // Tables made by the exported migration, not by synchronize: what users with synchronize off get.
    ds = await openDataSource(engine, {
      entities: [...AUTH_ENTITIES],
      migrations: [...AUTH_MIGRATIONS],
      synchronize: false,
      logger: counter,
    });
    await ds.runMigrations();
    tokens = new TokenService(ds, resolveAuthConfig({ secretKey: TEST_SECRET }, {}));
  });
  afterAll(() => closeDataSource(ds));

  it('the migration creates exactly the schema that synchronize would', async () => {
    // Compared with a synchronized twin rather than with "no pending change": TypeORM 1.1 reads
    // MariaDB's DEFAULT NULL back as the string 'NULL' and proposes no-op ALTERs for nullable
    // columns even on tables it created itself.
    const twin = await openDataSource(engine, { entities: [...AUTH_ENTITIES] });
    try {
      const pending = async (d: DataSource) =>
        (await d.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
      const fromMigration = await pending(ds);
      expect(fromMigration).toEqual(await pending(twin));
      if (engine !== 'mariadb') expect(fromMigration).toEqual([]);
    } finally {
      await closeDataSource(twin);
    }
  });

  it('validation issues exactly one query', async () => {
    const pair = await tokens.createTokenPair('counted');
    counter.reset();
    await tokens.validateAccessToken(pair.accessToken);
    expect(counter.queries.map((q) => q.query)).toHaveLength(1);
    expect(counter.queries[0]?.query).toMatch(/^SELECT/i);
    counter.reset();
    await expect(tokens.validateRefreshToken(pair.accessToken)).rejects.toThrow();
    expect(counter.count).toBe(0); // wrong type: refused before the store is asked
  });

  it('that query finds the token and its session through indexes', async () => {
    const pair = await tokens.createTokenPair('planned');
    counter.reset();
    const claims = await tokens.validateAccessToken(pair.accessToken);
    const [query] = counter.queries;
    // As logged: on PostgreSQL `jti = ANY($1)` with the array of one event-loop turn's jtis.
    const parameters = (query?.parameters ?? []) as unknown[];
    expect(parameters).toEqual(engine === 'postgres' ? [[claims.jti]] : [claims.jti]);
    const text = await plan(ds, engine, query?.query ?? '', parameters);
    if (engine === 'sqlite') {
      expect(text).not.toMatch(/\bSCAN\b/);
      expect(text.match(/SEARCH .* USING (?:INDEX|PRIMARY KEY|COVERING INDEX)/g)).toHaveLength(2);
    } else if (engine === 'postgres') {
      expect(text).not.toMatch(/Seq Scan/);
      expect(text).toMatch(/Index Scan using "?\w+"? on auth_tokens/);
      expect(text).toMatch(/Index Scan using "?\w+"? on auth_sessions/);
    } else {
      expect(text).toMatch(/type=const key=PRIMARY/);
      expect(text.split('\n').every((line) => /key=PRIMARY/.test(line))).toBe(true);
    }
  });
});
