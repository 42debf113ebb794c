import type { Logger, ObjectLiteral } from 'typeorm';

/** One query as TypeORM handed it to the driver. */
export interface RecordedQuery {
  readonly query: string;
  readonly parameters: readonly unknown[] | ObjectLiteral | undefined;
}

/**
 * A TypeORM {@link Logger} that records every query it is given, so a test can assert how many
 * round trips an operation costs.
 *
 * TypeORM uses a logger *object* as is: every query runner calls `logQuery` before each statement
 * (including `START TRANSACTION`/`COMMIT`), whatever the `logging` option says — that option is
 * only consulted by TypeORM's own loggers (`AbstractLogger`). Queries the driver runs while
 * connecting (version checks) are counted too, so call {@link QueryCounter.reset} after
 * `initialize()`; `openDataSource` does that for you.
 *
 * @example
 * const counter = new QueryCounter();
 * const ds = await openDataSource(engine, { entities: [Token], logger: counter });
 * await ds.getRepository(Token).findOneBy({ id: 1 });
 * expect(counter.count).toBe(1);
 */
export class QueryCounter implements Logger {
  /** Every query since the last {@link QueryCounter.reset}, oldest first. */
  readonly queries: RecordedQuery[] = [];

  /** How many queries were recorded since the last {@link QueryCounter.reset}. */
  get count(): number {
    return this.queries.length;
  }

  /** Forgets the recorded queries. */
  reset(): void {
    this.queries.length = 0;
  }

  logQuery(query: string, parameters?: unknown[] | ObjectLiteral): void {
    this.queries.push({ query, parameters });
  }

  // A failed query was already recorded by logQuery, and TypeORM rethrows the error.
  logQueryError(): void {
    /* nothing to record */
  }

  logQuerySlow(): void {
    /* nothing to record */
  }

  logSchemaBuild(): void {
    /* nothing to record */
  }

  logMigration(): void {
    /* nothing to record */
  }

  /** TypeORM's own warnings (e.g. pool errors) still reach the console. */
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') console.warn('[typeorm]', message);
  }
}
