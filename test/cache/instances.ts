import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import Redis from 'ioredis';
import { useContainer, useExpressServer } from 'routing-controllers';
import request from 'supertest';
import { Container } from 'typedi';
import { DataSource } from 'typeorm';
import {
  AUTH_ENTITIES,
  AuthController,
  hashPassword,
  setupAuth,
  type AuthOptions,
  type AuthSetup,
  type ValidationCacheOptions,
} from '../../src';
import { ProbeController } from '../support/app';
import { TEST_SECRET, testClock, type TestClock } from '../support/clock';
import { closeDataSource, openDataSource, type EngineName } from '../support/engines';
import { QueryCounter, type RecordedQuery } from '../support/query-counter';
import { TestAuth, TestUser } from '../support/users';

/** One "instance": its own DataSource on the shared database, its own setup and Express app. */
export interface Instance {
  readonly app: Express;
  readonly auth: AuthSetup<TestUser>;
  readonly ds: DataSource;
  /** Every query of this instance's DataSource. */
  readonly counter: QueryCounter;
  /** Queries on the auth tables since the last `counter.reset()`. */
  storeQueries(): number;
}

/** Two instances of one app on one database, with the validation cache on, sharing a clock. */
export interface Instances {
  readonly a: Instance;
  readonly b: Instance;
  readonly clock: TestClock;
  readonly alice: TestUser;
  readonly bob: TestUser;
  /** Redis clients made for the instances (MariaDB), to quit at the end. */
  readonly redis: Redis[];
  /** A third instance on the same database (e.g. with other options). */
  open(options?: AuthOptions): Promise<Instance>;
  close(): Promise<void>;
}

export const PASSWORD = 'alice-password-1';

/** The engines' channels: PostgreSQL and SQLite have their own; MariaDB goes through Redis. */
export const needsRedis = (engine: EngineName): boolean => engine === 'mariadb';

function redisClient(): Redis {
  return new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
}

/**
 * A query on the auth tables, or a NOTIFY of invalidations. Not the PostgreSQL channel's
 * heartbeat: a NOTIFY on the instance's own `rca_beat_…` channel every 5 s, which a test's window
 * meets by chance (CI: a warm request counted 1 query instead of 0).
 */
function isStoreQuery(q: RecordedQuery): boolean {
  if (/auth_tokens|auth_sessions/.test(q.query)) return true;
  if (!q.query.includes('pg_notify')) return false;
  const target = Array.isArray(q.parameters) ? (q.parameters as unknown[])[0] : undefined;
  return !(typeof target === 'string' && target.startsWith('rca_beat_'));
}

function storeQueriesOf(counter: QueryCounter): number {
  return counter.queries.filter(isStoreQuery).length;
}

/**
 * Opens two DataSources on one database (a fresh PostgreSQL schema or MariaDB database, or a
 * SQLite file), each with a setup whose validation cache is on, on a channel of the test's own.
 */
export async function openInstances(
  engine: EngineName,
  options: AuthOptions = {},
  cache: ValidationCacheOptions = {},
): Promise<Instances> {
  const channel = `rca_test_${randomBytes(6).toString('hex')}`;
  const clock = testClock(Date.now());
  const dir = engine === 'sqlite' ? mkdtempSync(path.join(tmpdir(), 'rca-cache-')) : undefined;
  const entities = [TestUser, ...AUTH_ENTITIES];
  const firstCounter = new QueryCounter();
  const first =
    dir === undefined
      ? await openDataSource(engine, { entities, logger: firstCounter })
      : new DataSource({
          type: 'better-sqlite3',
          database: path.join(dir, 'auth.sqlite'),
          entities,
          synchronize: true,
          logger: firstCounter,
        });
  if (!first.isInitialized) await first.initialize();
  const opened: DataSource[] = [first];
  const setups: AuthSetup<TestUser>[] = [];
  const redis: Redis[] = [];

  const repo = first.getRepository(TestUser);
  const make = async (email: string): Promise<TestUser> =>
    repo.save(
      repo.create({
        email,
        passwordHash: await hashPassword(PASSWORD, 4),
        roles: ['user'],
        permissions: [],
        isActive: true,
        isVerified: false,
      }),
    );
  const alice = await make('alice@example.com');
  const bob = await make('bob@example.com');

  const instance = (ds: DataSource, counter: QueryCounter, extra: AuthOptions = {}): Instance => {
    const own = typeof extra.validationCache === 'object' ? extra.validationCache : {};
    let client: Redis | undefined;
    if (needsRedis(engine) && cache.redis === undefined && own.redis === undefined) {
      client = redisClient();
      redis.push(client);
    }
    useContainer(Container);
    const auth = setupAuth({
      dataSource: ds,
      userAuthentication: new TestAuth(ds),
      registerInContainer: false,
      options: {
        secretKey: TEST_SECRET,
        bcryptCost: 4,
        now: clock.now,
        cookies: { secure: false },
        throttle: false,
        maxSessionsPerUser: 10_000,
        ...options,
        ...extra,
        validationCache:
          extra.validationCache === false
            ? false
            : { channel, ...(client === undefined ? {} : { redis: client }), ...cache, ...own },
      },
    });
    setups.push(auth);
    const app = express();
    app.use(cookieParser());
    useExpressServer(app, {
      ...auth.serverOptions,
      controllers: [AuthController, ProbeController],
    });
    counter.reset();
    return { app, auth, ds, counter, storeQueries: () => storeQueriesOf(counter) };
  };

  const another = async (extra?: AuthOptions): Promise<Instance> => {
    const counter = new QueryCounter();
    const ds = new DataSource({ ...first.options, logger: counter, synchronize: false });
    await ds.initialize();
    opened.push(ds);
    return instance(ds, counter, extra);
  };

  const a = instance(first, firstCounter);
  const b = await another();
  return {
    a,
    b,
    clock,
    alice,
    bob,
    redis,
    open: another,
    close: async () => {
      for (const auth of setups) await auth.close();
      for (const client of redis) client.disconnect();
      for (const ds of opened.slice(1)) if (ds.isInitialized) await ds.destroy();
      if (dir === undefined) await closeDataSource(first);
      else {
        if (first.isInitialized) await first.destroy();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** GET /t/me with a bearer token: the status and, for a refusal, the error code. */
export async function me(
  instance: Instance,
  accessToken: string,
): Promise<{ status: number; code: unknown }> {
  const res = await request(instance.app)
    .get('/t/me')
    .set('Authorization', `Bearer ${accessToken}`);
  return { status: res.status, code: (res.body as { code?: unknown }).code };
}

/** Until the channel of a setup listens (it connects in the background); bounded. */
export async function listening(
  auth: AuthSetup,
  expected = true,
  attempts = 200,
): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (auth.status().validationCache?.listening === expected) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/**
 * Asks B until it refuses the token (the event arrived), at most 200 times 25 ms apart: the
 * outcome is asserted, not the time it took.
 */
export async function refusedEventually(
  instance: Instance,
  accessToken: string,
): Promise<{ status: number; code: unknown }> {
  let last = await me(instance, accessToken);
  for (let i = 0; i < 200 && last.status === 200; i++) {
    await new Promise((r) => setTimeout(r, 25));
    last = await me(instance, accessToken);
  }
  return last;
}

/** Makes `accessToken` hot on `instance` and proves it: the second request costs no store query. */
export async function warm(instance: Instance, accessToken: string): Promise<number> {
  const first = await me(instance, accessToken);
  if (first.status !== 200) throw new Error(`warming got ${first.status}`);
  instance.counter.reset();
  const second = await me(instance, accessToken);
  if (second.status !== 200) throw new Error(`warm request got ${second.status}`);
  return instance.storeQueries();
}
