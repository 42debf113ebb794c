/**
 * One bench server, started by `bench/run.mjs` in a child process (with an IPC channel).
 *
 * Environment:
 * - `BENCH_VARIANT`: `none` (no authentication, fixed user id), `passport` (passport-jwt,
 *   stateless HS256) or `library` (routing-controllers-auth, stateful).
 * - `BENCH_DB`: `sqlite` | `postgres` | `mariadb`; `BENCH_ISOLATION`: the SQLite file, or the
 *   postgres schema / mariadb database made by `fixtures.js create`.
 * - `BENCH_SECRET`: the HS256 secret (both variants get it as a `createSecretKey` KeyObject).
 * - `BENCH_USERS`: how many seeded users get a token; `BENCH_BCRYPT_COST`: the library's cost.
 *
 * Every variant serves `GET /users/me` from a routing-controllers `@JsonController('/users')`
 * whose only difference is how the user arrives, and all of them load it with the same
 * {@link findUser} (`findOneBy` by primary key on the same repository).
 *
 * IPC: sends `{ type: 'ready', port, tokens, login, library }` once listening (`library`: the
 * library's resolved bcrypt cost and password concurrency); answers `{ type: 'stats' }`
 * with the query counts and the process's CPU time; `{ type: 'profile-start' }` /
 * `{ type: 'profile-stop', file }` record a V8 CPU profile of one window (`--cpu-prof` of the
 * driver); exits on `{ type: 'stop' }`, SIGTERM, SIGINT or a lost parent.
 */
import 'reflect-metadata';
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import cookieParser from 'cookie-parser';
import express, { type Request, type RequestHandler } from 'express';
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
  BaseUserAuthentication,
  CurrentUser,
  setupAuth,
  type LoginCredentials,
} from 'routing-controllers-auth';
import { Container, Service } from 'typedi';
import type { DataSource, Repository } from 'typeorm';
import {
  BENCH_PASSWORD,
  BenchUser,
  benchDataSource,
  benchEmail,
  ENGINES,
  findUser,
  QueryCounter,
  toPublicUser,
  type PublicUser,
} from './db';

type Variant = 'none' | 'passport' | 'library';

/** The library's default `iss` / `aud`; the passport tokens carry and require the same. */
const ISSUER = 'routing-controllers-auth';
const AUDIENCE = 'routing-controllers-auth';
/** The user `none` always serves. */
const FIXED_SUB = '1';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

// ---- the user bridge of the library variant, written as the README tells users to --------------

class BenchAuth extends BaseUserAuthentication<BenchUser> {
  constructor(private readonly users: Repository<BenchUser>) {
    super();
  }

  async authenticate({ username, password }: LoginCredentials): Promise<BenchUser | null> {
    const user = await this.users.findOneBy({ email: username.toLowerCase() });
    return (await this.checkPassword(user, password, user?.passwordHash)) ? user : null;
  }

  getUserById(id: string): Promise<BenchUser | null> {
    return findUser(this.users, id);
  }

  getUserId(user: BenchUser): number {
    return user.id;
  }
}

// ---- one controller per variant: the same route, the user obtained three ways ------------------

function noneController(users: Repository<BenchUser>) {
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
function passportMiddleware(users: Repository<BenchUser>, key: KeyObject): RequestHandler {
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
      return toPublicUser(req.user as BenchUser);
    }
  }
  return UsersController;
}

function libraryController() {
  @Service()
  @JsonController('/users')
  class UsersController {
    @Get('/me')
    me(@CurrentUser() user: BenchUser): PublicUser {
      return toPublicUser(user);
    }
  }
  return UsersController;
}

// ---- wiring -----------------------------------------------------------------------------------

interface Built {
  options: RoutingControllersOptions;
  issue: (sub: string) => Promise<string>;
  /** What the library resolved (env `AUTH_*` included), for the report. */
  library?: { bcryptCost: number; passwordConcurrency: number };
}

function build(variant: Variant, ds: DataSource, key: KeyObject, bcryptCost: number): Built {
  const users = ds.getRepository(BenchUser);
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
    return { options: { controllers: [noneController(users)] }, issue: sign };
  }
  if (variant === 'passport') {
    const controller = passportController(passportMiddleware(users, key));
    return { options: { controllers: [controller] }, issue: sign };
  }
  const auth = setupAuth({
    dataSource: ds,
    userAuthentication: new BenchAuth(users),
    options: { secretKey: key, bcryptCost },
  });
  return {
    options: {
      ...auth.serverOptions,
      controllers: [AuthController, libraryController()],
      middlewares: [...auth.middlewares],
    },
    library: {
      bcryptCost: auth.config.bcryptCost,
      passwordConcurrency: auth.config.passwordConcurrency,
    },
    issue: async (sub) =>
      (await auth.tokens.createTokenPair(sub, { userAgent: 'bench', ip: '127.0.0.1' })).accessToken,
  };
}

async function main(): Promise<void> {
  const variant = env('BENCH_VARIANT');
  if (variant !== 'none' && variant !== 'passport' && variant !== 'library') {
    throw new Error(`BENCH_VARIANT must be none, passport or library, got "${variant}"`);
  }
  const engine = ENGINES.find((e) => e === process.env.BENCH_DB);
  if (engine === undefined) throw new Error('BENCH_DB must be sqlite, postgres or mariadb');
  const userCount = Number(env('BENCH_USERS'));
  const bcryptCost = Number(env('BENCH_BCRYPT_COST'));
  const key = createSecretKey(Buffer.from(env('BENCH_SECRET'), 'utf8'));

  const counter = new QueryCounter();
  const ds = benchDataSource(engine, env('BENCH_ISOLATION'), { logger: counter });
  await ds.initialize();

  useContainer(Container);
  const { options, issue, library } = build(variant, ds, key, bcryptCost);
  const app = express();
  app.disable('x-powered-by');
  app.use(cookieParser());
  useExpressServer(app, options);

  const tokens: string[] = [];
  for (let n = 1; n <= userCount; n++) tokens.push(await issue(String(n)));

  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');

  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    // Bounded: whatever happens, the process is gone within 3 s (--cpu-prof writes on exit).
    setTimeout(() => process.exit(code), 3000).unref();
    server.closeAllConnections();
    server.close();
    void ds.destroy().finally(() => process.exit(code));
  };
  process.on('SIGTERM', () => {
    stop(0);
  });
  process.on('SIGINT', () => {
    stop(0);
  });
  process.on('disconnect', () => {
    stop(0);
  });
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
        total: counter.total,
        store: counter.store,
        cpuMicros: cpu.user + cpu.system,
      });
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
