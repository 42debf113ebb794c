/**
 * One bench server, started by `bench/run.mjs` in a child process (with an IPC channel).
 *
 * Environment:
 * - `BENCH_VARIANT`: `none` (no authentication, fixed user id), `passport` (passport-jwt,
 *   stateless HS256), `library` (routing-controllers-auth, stateful, the stripped server) or
 *   `example-app` (the example's own `createApp`, in this process, so it can be counted and
 *   profiled like the others; its token comes from `POST /auth/login` as user 1).
 * - Toggles (anatomy section): `BENCH_CLASS_TRANSFORMER` / `BENCH_VALIDATION` = `0` or `1` set
 *   routing-controllers' options of the same names on the none / passport / library servers
 *   (unset: routing-controllers' defaults, both `true`, which the example also sets explicitly).
 *   `BENCH_POOL_SIZE`: the pool size (default: the driver's).
 *   `BENCH_POOL_PROBE=1`: count pg pool checkouts that had to queue, and the time they waited.
 * - `BENCH_DB`: `sqlite` | `postgres` | `mariadb`; `BENCH_ISOLATION`: the SQLite file, or the
 *   postgres schema / mariadb database made by `fixtures.js create`.
 * - `BENCH_SECRET`: the HS256 secret (both variants get it as a `createSecretKey` KeyObject).
 * - `BENCH_USERS`: how many seeded users get a token; `BENCH_BCRYPT_COST`: the library's cost.
 * - Validation cache (library): `AUTH_VALIDATION_CACHE=on` turns it on (the library reads it, with
 *   `AUTH_VALIDATION_CACHE_CHANNEL`, the driver's per-run channel); `BENCH_CACHE_REDIS=1` gives it
 *   an ioredis client on `BENCH_REDIS_URL` (Redis pub/sub: required on MariaDB).
 *
 * Every variant serves `GET /users/me` from a routing-controllers `@JsonController('/users')`
 * whose only difference is how the user arrives, and all of them load the example's `User` with
 * the same `findOneBy` by primary key ({@link findUser}, the example's `ExampleAuth`).
 *
 * IPC: sends `{ type: 'ready', port, tokens, login, library }` once listening (`library`: the
 * library's resolved bcrypt cost and password concurrency); answers `{ type: 'stats' }`
 * with the query counts (running totals), the process's CPU time, the pool probe's counts,
 * the event-loop delay since the previous `stats` and the validation cache's counters
 * (`auth.status().validationCache`: channel, listening, hits, misses; `null` when off);
 * `{ type: 'purge' }` (library variant) runs `auth.tokens.purgeExpired()` in this process and
 * answers `{ type: 'purged', tokens, sessions, ms }`; `{ type: 'profile-start' }` /
 * `{ type: 'profile-stop', file }` record a V8 CPU profile of one window (`--cpu-prof` of the
 * driver); on `{ type: 'stop' }`, SIGTERM, SIGINT or a lost parent it stops accepting, lets the
 * requests in flight finish (bounded), and only then closes the DataSource and exits.
 */
import 'reflect-metadata';
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import cookieParser from 'cookie-parser';
import express, { type Express, type Request, type RequestHandler } from 'express';
import Redis from 'ioredis';
import jwt from 'jsonwebtoken';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy, type VerifiedCallback } from 'passport-jwt';
import {
  Get,
  JsonController,
  NotFoundError,
  Req,
  UseBefore,
  useContainer,
  useExpressServer,
  type RoutingControllersOptions,
} from 'routing-controllers';
import {
  AuthController,
  CurrentUser,
  setupAuth,
  type AuthOptions,
  type ValidationCacheStats,
} from 'routing-controllers-auth';
import { Container, Service } from 'typedi';
import type { DataSource, Repository } from 'typeorm';
import { createApp } from '../example/app';
import { ExampleAuth } from '../example/auth';
import { toPublicUser, User, type PublicUser } from '../example/user.entity';
import { QueryCounter } from '../test/support/query-counter';
import { BENCH_PASSWORD, benchDataSource, benchEmail, ENGINES, findUser } from './db';
import { probePool, type PoolProbe } from './pool-probe';

const VARIANTS = ['none', 'passport', 'library', 'example-app'] as const;
type Variant = (typeof VARIANTS)[number];

/** The library's default `iss` / `aud`; the passport tokens carry and require the same. */
const ISSUER = 'routing-controllers-auth';
const AUDIENCE = 'routing-controllers-auth';
/** Sampling interval of the event-loop delay histogram, ms. */
const LOOP_RESOLUTION_MS = 10;
/** The user `none` always serves. */
const FIXED_SUB = '1';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

// ---- one controller per variant: the same route, the user obtained three ways ------------------

function noneController(users: Repository<User>) {
  @Service()
  @JsonController('/users')
  class UsersController {
    @Get('/me')
    async me(): Promise<PublicUser> {
      const user = await findUser(users, FIXED_SUB);
      if (user === null) throw new NotFoundError();
      return toPublicUser(user);
    }
  }
  return UsersController;
}

/** passport-jwt at its best: the secret as a KeyObject, no session, one strategy instance. */
function passportMiddleware(users: Repository<User>, key: KeyObject): RequestHandler {
  const passport = new Passport();
  passport.use(
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        // @types/passport-jwt says string | Buffer; passport-jwt hands it to jsonwebtoken as is,
        // which takes a KeyObject (and skips the createPublicKey attempt it makes on strings).
        secretOrKey: key as unknown as Buffer,
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      },
      (payload: { sub?: unknown }, done: VerifiedCallback) => {
        findUser(users, payload.sub).then(
          (user) => {
            done(null, user?.isActive === true ? user : false);
          },
          (error: unknown) => {
            done(error);
          },
        );
      },
    ),
  );
  return passport.authenticate('jwt', { session: false }) as RequestHandler;
}

function passportController(authenticate: RequestHandler) {
  @Service()
  @JsonController('/users')
  class UsersController {
    @Get('/me')
    @UseBefore(authenticate)
    me(@Req() req: Request): PublicUser {
      return toPublicUser(req.user as User);
    }
  }
  return UsersController;
}

function libraryController() {
  @Service()
  @JsonController('/users')
  class UsersController {
    @Get('/me')
    me(@CurrentUser() user: User): PublicUser {
      return toPublicUser(user);
    }
  }
  return UsersController;
}

/**
 * The validation cache's Redis client, set up as the example sets up its own (commands fail at
 * once while Redis is away instead of queueing; one log line per outage).
 */
function cacheRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) console.error(`[bench server] Redis unavailable: ${error.message}`);
    down = true;
  });
  redis.on('ready', () => {
    down = false;
  });
  return redis;
}

// ---- wiring -----------------------------------------------------------------------------------

interface Built {
  app: Express;
  /** Issues the access token of user `sub`, once the server listens on `port`. */
  issue: (sub: string, port: number) => Promise<string>;
  /** How many users get a token (the example's app logs in over HTTP: one bcrypt each). */
  tokenCount?: number;
  /** What the library resolved (env `AUTH_*` included), for the report. */
  library?: {
    bcryptCost: number;
    passwordConcurrency: number;
    passwordNice: number;
    purgeBatchSize: number;
  };
  /** The library's validation cache counters (`null` when the cache is off). */
  cache?: () => ValidationCacheStats | null;
  /** Releases what the setup holds besides the DataSource (the cache's channel, Redis). */
  close?: () => Promise<void>;
  /** The library's `purgeExpired()` (purge section), on the `library` variant only. */
  purge?: () => Promise<{ tokens: number; sessions: number }>;
}

const flag = (name: string): boolean => process.env[name] === '1';

/** `true` / `false` for an env toggle set to `1` / `0`; `undefined` (the default) otherwise. */
function toggle(name: string): boolean | undefined {
  const value = process.env[name];
  return value === '1' ? true : value === '0' ? false : undefined;
}

/** An Express app with routing-controllers over `options`, as the example builds its own. */
function expressApp(options: RoutingControllersOptions): Express {
  useContainer(Container);
  const app = express();
  app.disable('x-powered-by');
  app.use(cookieParser());
  useExpressServer(app, {
    ...options,
    ...(toggle('BENCH_CLASS_TRANSFORMER') !== undefined && {
      classTransformer: toggle('BENCH_CLASS_TRANSFORMER'),
    }),
    ...(toggle('BENCH_VALIDATION') !== undefined && { validation: toggle('BENCH_VALIDATION') }),
  });
  return app;
}

/** Logs user 1 in through the app's own `POST /auth/login`, as a client of the example would. */
async function login(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: benchEmail(1), password: BENCH_PASSWORD }),
  });
  const body = (await res.json()) as { access_token?: unknown };
  if (res.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`POST /auth/login answered ${res.status}: ${JSON.stringify(body)}`);
  }
  return body.access_token;
}

function build(variant: Variant, ds: DataSource, key: KeyObject, bcryptCost: number): Built {
  const users = ds.getRepository(User);
  const sign = (sub: string) =>
    Promise.resolve(
      jwt.sign({ sub, jti: randomUUID(), sid: randomUUID(), type: 'access' }, key, {
        algorithm: 'HS256',
        expiresIn: 900,
        issuer: ISSUER,
        audience: AUDIENCE,
      }),
    );
  if (variant === 'none') {
    return { app: expressApp({ controllers: [noneController(users)] }), issue: sign };
  }
  if (variant === 'passport') {
    const controller = passportController(passportMiddleware(users, key));
    return { app: expressApp({ controllers: [controller] }), issue: sign };
  }
  if (variant === 'example-app') {
    const { app } = createApp({ dataSource: ds, options: { secretKey: key, bcryptCost } });
    return { app, issue: (_sub, port) => login(port), tokenCount: 1 };
  }
  const redis = flag('BENCH_CACHE_REDIS') ? cacheRedis(env('BENCH_REDIS_URL')) : undefined;
  const options: AuthOptions = { secretKey: key, bcryptCost };
  if (redis !== undefined) options.validationCache = { redis };
  const auth = setupAuth({ dataSource: ds, userAuthentication: new ExampleAuth(users), options });
  return {
    app: expressApp({
      ...auth.serverOptions,
      controllers: [AuthController, libraryController()],
      middlewares: [...auth.middlewares],
    }),
    library: {
      bcryptCost: auth.config.bcryptCost,
      passwordConcurrency: auth.config.passwordConcurrency,
      passwordNice: auth.config.passwordNice,
      purgeBatchSize: auth.config.purgeBatchSize,
    },
    cache: () => auth.status().validationCache,
    close: async () => {
      await auth.close();
      await redis?.quit();
    },
    purge: () => auth.tokens.purgeExpired(),
    issue: async (sub) =>
      (await auth.tokens.createTokenPair(sub, { userAgent: 'bench', ip: '127.0.0.1' })).accessToken,
  };
}

/** Query counts kept as running totals: the shared counter's list is emptied at every read. */
function queryTotals(counter: QueryCounter): () => { total: number; store: number } {
  const totals = { total: 0, store: 0 };
  return () => {
    totals.total += counter.count;
    // Statements touching the library's tables (`auth_tokens` / `auth_sessions`).
    totals.store += counter.queries.filter((q) => q.query.includes('auth_')).length;
    counter.reset();
    return { ...totals };
  };
}

/** The slices of pg-pool's and mysql2's pools that say whether a query is still out. */
interface PgPoolState {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}
interface MysqlPoolState {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/**
 * Whether the DataSource's pool still has clients checked out or checkouts queued (pg, mysql2);
 * `false` where it cannot tell (SQLite runs its queries synchronously).
 */
function databaseBusy(ds: DataSource): boolean {
  const driver = ds.driver as { master?: Partial<PgPoolState>; pool?: MysqlPoolState };
  const pg = driver.master;
  if (ds.options.type === 'postgres' && typeof pg?.totalCount === 'number') {
    return pg.totalCount - (pg.idleCount ?? 0) + (pg.waitingCount ?? 0) > 0;
  }
  const my = driver.pool;
  if (ds.options.type === 'mysql' && my?._allConnections !== undefined) {
    const busy = my._allConnections.length - (my._freeConnections?.length ?? 0);
    return busy + (my._connectionQueue?.length ?? 0) > 0;
  }
  return false;
}

/**
 * Stops accepting, then waits (at most `graceMs`) until no request is in flight and no query is
 * out on the pool, and only then closes the DataSource. A load generator that stops drops its
 * sockets, but the requests they carried still wait on the database: ending the pool under them
 * fails them with "Connection terminated" (a logged 503 nobody receives).
 */
function stopper(
  server: Server,
  ds: DataSource,
  graceMs: number,
  close?: () => Promise<void>,
): (code: number) => void {
  let inFlight = 0;
  server.on('request', (_req, res: ServerResponse) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
    });
  });
  const settled = async (): Promise<void> => {
    const deadline = Date.now() + graceMs;
    while ((inFlight > 0 || databaseBusy(ds)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  let stopping = false;
  return (code) => {
    if (stopping) return;
    stopping = true;
    // Bounded: whatever happens, the process is gone in graceMs + 3 s (--cpu-prof writes on exit).
    setTimeout(() => process.exit(code), graceMs + 3000).unref();
    server.close();
    server.closeIdleConnections();
    void settled()
      .then(async () => {
        server.closeAllConnections();
        await close?.();
        await ds.destroy();
      })
      .finally(() => process.exit(code));
  };
}

async function main(): Promise<void> {
  const variant = VARIANTS.find((v) => v === process.env.BENCH_VARIANT);
  if (variant === undefined) {
    throw new Error(`BENCH_VARIANT must be one of ${VARIANTS.join(', ')}`);
  }
  const engine = ENGINES.find((e) => e === process.env.BENCH_DB);
  if (engine === undefined) throw new Error('BENCH_DB must be sqlite, postgres or mariadb');
  const userCount = Number(env('BENCH_USERS'));
  const bcryptCost = Number(env('BENCH_BCRYPT_COST'));
  const key = createSecretKey(Buffer.from(env('BENCH_SECRET'), 'utf8'));
  const poolSize = process.env.BENCH_POOL_SIZE ? Number(process.env.BENCH_POOL_SIZE) : undefined;

  const counter = new QueryCounter();
  const ds = benchDataSource(engine, env('BENCH_ISOLATION'), { logger: counter, poolSize });
  await ds.initialize();
  const pool: PoolProbe | undefined = flag('BENCH_POOL_PROBE') ? probePool(ds) : undefined;

  const { app, issue, library, tokenCount, cache, close, purge } = build(
    variant,
    ds,
    key,
    bcryptCost,
  );
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');

  const tokens: string[] = [];
  for (let n = 1; n <= Math.min(userCount, tokenCount ?? userCount); n++) {
    tokens.push(await issue(String(n), address.port));
  }
  const queries = queryTotals(counter);
  queries(); // the setup's statements are not the load's

  const stop = stopper(server, ds, 5000, close);
  process.on('SIGTERM', () => {
    stop(0);
  });
  process.on('SIGINT', () => {
    stop(0);
  });
  process.on('disconnect', () => {
    stop(0);
  });
  // Event-loop delay (10 ms resolution): how far behind the process runs its callbacks.
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const profiler = new Session();
  process.on('message', (message: { type?: string; file?: string }) => {
    if (message.type === 'profile-start') {
      profiler.connect();
      void profiler
        .post('Profiler.enable')
        .then(() => profiler.post('Profiler.start'))
        .then(() => process.send?.({ type: 'profile-started' }));
    } else if (message.type === 'profile-stop' && message.file !== undefined) {
      const file = message.file;
      void profiler
        .post('Profiler.stop')
        .then(({ profile }) => writeFile(file, JSON.stringify(profile)))
        .then(() => {
          profiler.disconnect();
          process.send?.({ type: 'profile-written' });
        });
    } else if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      process.send?.({
        type: 'stats',
        ...queries(),
        cpuMicros: cpu.user + cpu.system,
        pool: pool?.snapshot() ?? null,
        // Since the previous stats message: over the measured window in the `after` reading.
        // The histogram records whole timer intervals: the lag is what exceeds the resolution.
        loopDelay: {
          meanMs: Math.max(0, loop.mean / 1e6 - LOOP_RESOLUTION_MS),
          p99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
        },
        cache: cache?.() ?? null,
      });
      loop.reset();
    } else if (message.type === 'purge' && purge !== undefined) {
      const started = performance.now();
      void purge().then(
        (deleted) =>
          process.send?.({ type: 'purged', ...deleted, ms: performance.now() - started }),
        (error: unknown) => process.send?.({ type: 'purged', error: String(error) }),
      );
    } else if (message.type === 'stop') {
      stop(0);
    }
  });
  process.send?.({
    type: 'ready',
    library,
    port: address.port,
    tokens,
    login: { email: benchEmail(1), password: BENCH_PASSWORD },
  });
}

main().catch((error: unknown) => {
  console.error('[bench server]', error);
  process.exit(1);
});
