import cookieParser from 'cookie-parser';
import { IsString, MinLength } from 'class-validator';
import express, { type Express } from 'express';
import request from 'supertest';
import {
  Body,
  Get,
  JsonController,
  Post,
  useContainer,
  useExpressServer,
} from 'routing-controllers';
import { Container, Service } from 'typedi';
import { DataSource } from 'typeorm';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
  type MockInstance,
} from 'vitest';
import {
  AUTH_ENTITIES,
  AuthController,
  AuthErrorHandler,
  BaseUserAuthentication,
  CurrentUser,
  hashPassword,
  InvalidRequestError,
  setupAuth,
  TokenService,
  type AuthOptions,
  type AuthSetup,
  type SetupAuthInput,
} from '../../src';
import { TEST_SECRET } from '../support/clock';
import { closeDataSource, openDataSource } from '../support/engines';
import { TestAuth, TestUser } from '../support/users';
import { expectError } from '../support/http';
import { configError } from '../support/config-error';

const OPTIONS: AuthOptions = { secretKey: TEST_SECRET, bcryptCost: 4, cookies: { secure: false } };
const INTERNAL = {
  name: 'InternalServerError',
  code: 'internal_error',
  message: 'Internal server error.',
};

// typedi's remove/get/has typings lack the abstract-class overload; the key is the class object.
const USER_AUTH_KEY = BaseUserAuthentication as unknown as new () => BaseUserAuthentication;

/** Forgets a bridge a test registered in typedi itself (setupAuth registers none). */
function forgetRegisteredBridge(): void {
  // Container.remove, not Container.reset: reset keeps the BaseUserAuthentication entry and makes
  // the next get() return a bare `new BaseUserAuthentication()`.
  Container.remove(USER_AUTH_KEY);
}

class GreetDto {
  @IsString()
  @MinLength(3)
  name!: string;
}

@JsonController('/x')
@Service()
class ProblemController {
  @Get('/me')
  me(@CurrentUser() user: TestUser) {
    return { id: user.id };
  }

  @Get('/auth-error')
  authError(): never {
    throw new InvalidRequestError('Refused on purpose.');
  }

  @Get('/crash')
  crash(): never {
    throw new Error('SELECT "passwordHash" FROM "test_users" failed at /srv/app/secret.ts:12');
  }

  @Get('/crash-string')
  crashString(): never {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- what careless user code does
    throw 'a thrown string with internals';
  }

  @Get('/crash-async')
  async crashAsync(): Promise<never> {
    await Promise.resolve();
    throw new TypeError("Cannot read properties of undefined (reading 'id')");
  }

  @Post('/greet')
  greet(@Body() body: GreetDto) {
    return { hello: body.name };
  }
}

describe('setupAuth refuses an incomplete setup with an AuthConfigError naming the fix', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await openDataSource('sqlite', { entities: [TestUser, ...AUTH_ENTITIES] });
  });
  afterAll(() => closeDataSource(ds));
  beforeEach(forgetRegisteredBridge);

  it('no dataSource', () => {
    for (const input of [{}, { dataSource: undefined }, { dataSource: null }, { dataSource: {} }]) {
      const error = configError(() =>
        setupAuth({
          ...(input as unknown as SetupAuthInput),
          userAuthentication: new TestAuth(ds),
          options: OPTIONS,
        }),
      );
      expect(error.key).toBe('dataSource');
      expect(error.code).toBe('auth_config');
      expect(error.message).toMatch(/dataSource/);
      expect(error.message).toMatch(/TypeORM DataSource/);
    }
  });

  it('a DataSource that is not initialized', () => {
    const idle = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [TestUser, ...AUTH_ENTITIES],
    });
    const error = configError(() =>
      setupAuth({ dataSource: idle, userAuthentication: new TestAuth(ds), options: OPTIONS }),
    );
    expect(error.key).toBe('dataSource');
    expect(error.message).toMatch(/not initialized/);
    expect(error.message).toContain('initialize()');
  });

  it('a DataSource without AUTH_ENTITIES', async () => {
    const bare = await openDataSource('sqlite', { entities: [TestUser] });
    try {
      const error = configError(() =>
        setupAuth({ dataSource: bare, userAuthentication: new TestAuth(bare), options: OPTIONS }),
      );
      expect(error.key).toBe('dataSource');
      expect(error.message).toContain('AUTH_ENTITIES');
    } finally {
      await closeDataSource(bare);
    }
  });

  it('no user authentication, passed or registered in typedi', () => {
    expect(Container.has(USER_AUTH_KEY)).toBe(false);
    const error = configError(() => setupAuth({ dataSource: ds, options: OPTIONS }));
    expect(error.key).toBe('userAuthentication');
    expect(error.message).toContain('Container.set(BaseUserAuthentication');
    expect(error.message).toContain('userAuthentication');
  });

  it('a typedi entry emptied by Container.reset() (a bare BaseUserAuthentication) is refused', () => {
    Container.set(BaseUserAuthentication, new TestAuth(ds));
    Container.reset();
    // typedi now builds `new BaseUserAuthentication()`: an instance without the abstract methods.
    const error = configError(() => setupAuth({ dataSource: ds, options: OPTIONS }));
    expect(error.key).toBe('userAuthentication');
  });

  it('an object that is not a BaseUserAuthentication', () => {
    const lookalike = {
      authenticate: () => Promise.resolve(null),
      getUserById: () => Promise.resolve(null),
      getUserId: () => 1,
    };
    for (const candidate of [lookalike, new (class Other {})(), 'auth', 42]) {
      const error = configError(() =>
        setupAuth({
          dataSource: ds,
          userAuthentication: candidate as unknown as BaseUserAuthentication,
          options: OPTIONS,
        }),
      );
      expect(error.key).toBe('userAuthentication');
      expect(error.message).toContain('BaseUserAuthentication');
    }
    // The same object registered in typedi is refused too.
    Container.set(BaseUserAuthentication, lookalike as unknown as BaseUserAuthentication);
    expect(configError(() => setupAuth({ dataSource: ds, options: OPTIONS })).key).toBe(
      'userAuthentication',
    );
  });

  it.each<[string, AuthOptions, string, RegExp]>([
    ['a short secret', { secretKey: 'too-short-secret' }, 'secretKey', /at least 32/],
    ['a bcrypt cost below the floor', { bcryptCost: 3 }, 'bcryptCost', /integer from/],
    ['an unknown algorithm', { algorithm: 'none' as 'HS256' }, 'algorithm', /never "none"/],
    ['an empty tokenLocation', { tokenLocation: [] }, 'tokenLocation', /at least one/],
    [
      'a trusted origin that is not an origin',
      { csrf: { trustedOrigins: ['spa.example.com'] } },
      'csrf.trustedOrigins',
      /is not an http\(s\) origin/,
    ],
  ])('bad options: %s', (_label, bad, key, message) => {
    const error = configError(() =>
      setupAuth({
        dataSource: ds,
        userAuthentication: new TestAuth(ds),
        options: { ...OPTIONS, ...bad },
        env: { NODE_ENV: 'test' },
      }),
    );
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${key}: `)).toBe(true);
  });

  it('unknown keys, wrong shapes and a cyclic hierarchy are refused at setup, for plain JS too', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ cookie: { secure: false } }, 'cookie', /Did you mean "cookies"/],
      [{ cookies: { sameSite: 'lax', secur: false } }, 'cookies.secur', /cookies\.secure/],
      [{ roleHierarchy: { admin: 'moderator' } }, 'roleHierarchy.admin', /array of strings/],
      [
        { roleHierarchy: { a: ['b'], b: ['c'], c: ['a'] } },
        'roleHierarchy',
        /cycle \(a → b → c → a\)/,
      ],
      [{ rolePermissions: { admin: [42] } }, 'rolePermissions.admin', /array of non-empty strings/],
      [{ throttle: { perIP: 5 } }, 'throttle.perIP', /throttle\.perIp/],
      // The start of a key names it too (newcomer: no hint for these).
      [{ purgeInterval: 60 }, 'purgeInterval', /Did you mean "purgeIntervalSeconds"/],
      [
        { validationCache: { maxAge: 30 } },
        'validationCache.maxAge',
        /Did you mean "validationCache\.maxAgeSeconds"/,
      ],
      [{ accessTokenExpireMinutes: '15' }, 'accessTokenExpireMinutes', /positive number/],
    ];
    for (const [bad, key, message] of cases) {
      const error = configError(() =>
        setupAuth({
          dataSource: ds,
          userAuthentication: new TestAuth(ds),
          options: { ...OPTIONS, ...(bad as AuthOptions) },
        }),
      );
      expect(error.key).toBe(key);
      expect(error.message).toMatch(message);
    }
  });

  it("a route reached without the setup's serverOptions answers 500 and logs how to wire it", async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const auth = setupAuth({
        dataSource: ds,
        userAuthentication: new TestAuth(ds),
        options: OPTIONS,
      });
      useContainer(Container);
      const app = express();
      // The checkers but neither middleware: nothing binds requests to the setup.
      useExpressServer(app, {
        authorizationChecker: auth.authorizationChecker,
        defaultErrorHandler: false,
        middlewares: [AuthErrorHandler],
        controllers: [ProblemController],
      });
      const res = await request(app).get('/x/me');
      expect(res.status).toBe(500);
      expect(res.body).toEqual(INTERNAL);
      expect(logged).toHaveBeenCalledTimes(1);
      expect(String(logged.mock.calls[0]?.[0])).toContain('AuthConfigError: serverOptions');
    } finally {
      logged.mockRestore();
    }
  });
});

describe('setupAuth finds the user authentication registered in typedi', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await openDataSource('sqlite', { entities: [TestUser, ...AUTH_ENTITIES] });
    const repo = ds.getRepository(TestUser);
    await repo.save(
      repo.create({
        email: 'typedi@example.com',
        passwordHash: await hashPassword('typedi-password-1', 4),
        roles: ['user'],
        permissions: [],
      }),
    );
  });
  afterAll(() => closeDataSource(ds));
  beforeEach(forgetRegisteredBridge);

  it('Container.set(BaseUserAuthentication, instance) is picked up and used for logins', async () => {
    const mine = new TestAuth(ds);
    Container.set(BaseUserAuthentication, mine);
    const auth = setupAuth({ dataSource: ds, options: OPTIONS });
    expect(auth.userAuthentication).toBe(mine);
    expect(Container.get(USER_AUTH_KEY)).toBe(mine);

    useContainer(Container);
    const app = express();
    useExpressServer(app, { ...auth.serverOptions, controllers: [AuthController] });
    const res = await request(app)
      .post('/auth/login')
      .send({ email: 'typedi@example.com', password: 'typedi-password-1' });
    expect(res.status, res.text).toBe(200);
  });

  it('an explicit userAuthentication wins over the typedi entry, which stays as it was', () => {
    const registered = new TestAuth(ds);
    const given = new TestAuth(ds);
    Container.set(BaseUserAuthentication, registered);
    const auth = setupAuth({ dataSource: ds, userAuthentication: given, options: OPTIONS });
    expect(auth.userAuthentication).toBe(given);
    expect(Container.get(USER_AUTH_KEY)).toBe(registered);
  });

  it('the TokenService is registered for injection unless registerInContainer is false', () => {
    const auth = setupAuth({
      dataSource: ds,
      userAuthentication: new TestAuth(ds),
      options: OPTIONS,
    });
    expect(Container.get(TokenService)).toBe(auth.tokens);
    const other = setupAuth({
      dataSource: ds,
      userAuthentication: new TestAuth(ds),
      options: OPTIONS,
      registerInContainer: false,
    });
    expect(other.tokens).not.toBe(auth.tokens);
    expect(Container.get(TokenService)).toBe(auth.tokens);
  });
});

describe('auth.status()', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await openDataSource('sqlite', { entities: [TestUser, ...AUTH_ENTITIES] });
  });
  afterAll(() => closeDataSource(ds));

  it('driver type, class name, algorithm, lifetimes; no secret anywhere', () => {
    const auth = setupAuth({
      dataSource: ds,
      userAuthentication: new TestAuth(ds),
      options: { ...OPTIONS, refreshSecretKey: `${TEST_SECRET}-refresh` },
    });
    const status = auth.status();
    expect(status).toEqual({
      wired: true,
      database: { type: 'better-sqlite3', initialized: true },
      userAuthentication: 'TestAuth',
      algorithm: 'HS256',
      tokenLocation: ['header', 'cookie'],
      secureCookies: false,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 7 * 24 * 3600,
      purgeIntervalSeconds: null,
      bcryptCost: 4,
      throttle: true,
      validationCache: null,
      roles: [],
      problems: [expect.stringMatching(/not Secure/) as string],
      mailer: false,
      // TestAuth has none of the account bridge methods: no account route can be mounted.
      accountRoutes: {
        mounted: [],
        missing: [
          { controller: 'RegisterController', methods: ['findByEmail', 'createUser'] },
          { controller: 'VerifyController', methods: ['findByEmail', 'updateUser'] },
          { controller: 'ResetPasswordController', methods: ['findByEmail', 'updateUser'] },
          { controller: 'MeController', methods: ['updateUser', 'deleteUser'] },
          { controller: 'UsersAdminController', methods: ['updateUser', 'deleteUser'] },
        ],
      },
    });
    const json = JSON.stringify(status);
    expect(json).not.toContain(TEST_SECRET);
    expect(json).not.toContain(Buffer.from(TEST_SECRET).toString('base64'));
    expect(json).not.toContain(Buffer.from(TEST_SECRET).toString('base64url'));
    expect(json).not.toContain(Buffer.from(TEST_SECRET).toString('hex'));
  });

  it('each setup describes itself, not the last one made', () => {
    const first = setupAuth({
      dataSource: ds,
      userAuthentication: new TestAuth(ds),
      options: { ...OPTIONS, cookies: { secure: true }, accessTokenExpireMinutes: 1 },
    });
    const second = setupAuth({
      dataSource: ds,
      userAuthentication: new TestAuth(ds),
      options: { ...OPTIONS, accessTokenExpireMinutes: 2, roleHierarchy: { admin: ['user'] } },
    });
    expect(first.status().problems).toEqual([]);
    expect(first.status().accessTokenTtlSeconds).toBe(60);
    expect(first.status().roles).toEqual([]);
    expect(second.status().accessTokenTtlSeconds).toBe(120);
    expect(second.status().roles).toEqual(['admin', 'user']);
  });
});

describe('error handling: no stack, whatever routing-controllers development says', () => {
  let ds: DataSource;
  let auth: AuthSetup<TestUser>;
  let app: Express;
  let logged: MockInstance<typeof console.error>;

  beforeAll(async () => {
    logged = vi.spyOn(console, 'error');
    ds = await openDataSource('sqlite', { entities: [TestUser, ...AUTH_ENTITIES] });
    useContainer(Container);
    auth = setupAuth({ dataSource: ds, userAuthentication: new TestAuth(ds), options: OPTIONS });
    app = express();
    app.use(cookieParser());
    useExpressServer(app, {
      ...auth.serverOptions,
      development: true,
      controllers: [AuthController, ProblemController],
    });
  });
  afterAll(async () => {
    logged.mockRestore();
    await closeDataSource(ds);
  });
  beforeEach(() => {
    logged.mockReset();
    logged.mockImplementation(() => undefined);
  });
  afterEach(() => {
    logged.mockReset();
  });

  it('serverOptions turn development and the default error handler off', () => {
    expect(auth.serverOptions.development).toBe(false);
    expect(auth.serverOptions.defaultErrorHandler).toBe(false);
    expect(auth.serverOptions.authorizationChecker).toBe(auth.authorizationChecker);
    expect(auth.serverOptions.currentUserChecker).toBe(auth.currentUserChecker);
    expect(auth.serverOptions.middlewares).toEqual(auth.middlewares);
    expect(auth.middlewares).toHaveLength(2);
    expect(auth.middlewares[1]).toBe(AuthErrorHandler);
  });

  it('an AuthError from a decorator: coded body, no stack', async () => {
    const res = await request(app).get('/x/me');
    expectError(res, 401, 'missing_credentials', 'Bearer');
    expect(res.body).not.toHaveProperty('stack');
  });

  it('an AuthError thrown in a controller: coded body, no stack', async () => {
    const res = await request(app).get('/x/auth-error');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      name: 'InvalidRequestError',
      code: 'invalid_request',
      message: 'Refused on purpose.',
    });
  });

  // Newcomer: the default log said the message twice ("… Error: secret … Error: secret …").
  it('logs an unexpected error once: its name and message, then its stack frames', async () => {
    await request(app).get('/x/crash-async');
    expect(logged).toHaveBeenCalledTimes(1);
    const line = logged.mock.calls[0]?.map(String).join(' ') ?? '';
    const message = "Cannot read properties of undefined (reading 'id')";
    expect(line.startsWith(`[routing-controllers-auth] TypeError: ${message}\n`)).toBe(true);
    expect(line.split(message)).toHaveLength(2);
    expect(line).toMatch(/\n\s+at /);
  });

  it.each(['/x/crash', '/x/crash-string', '/x/crash-async'])(
    'an unexpected error in %s → 500 with a fixed body, logged server-side only',
    async (path) => {
      const res = await request(app).get(path);
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual(INTERNAL);
      expect(res.text).not.toMatch(/SELECT|secret\.ts|internals|Cannot read/);
      expect(logged).toHaveBeenCalledTimes(1);
    },
  );

  it('malformed JSON on POST /auth/login → 400 invalid_request (JSON, not an HTML page)', async () => {
    const res = await request(app)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": "alice@example.com", "password": ');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expectError(res, 400, 'invalid_request');
    // Named like every other invalid_request (the error-code table's InvalidRequestError).
    expect(res.body).toEqual({
      name: 'InvalidRequestError',
      code: 'invalid_request',
      message: 'The request body must be valid JSON: an object or an array.',
    });
  });

  it('a body over 16kb on POST /auth/login → 413 payload_too_large', async () => {
    const res = await request(app)
      .post('/auth/login')
      .send({ email: 'alice@example.com', password: 'x'.repeat(17 * 1024) });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expectError(res, 413, 'payload_too_large');
    expect(res.body).toEqual({
      name: 'PayloadTooLargeError',
      code: 'payload_too_large',
      message: 'The request body is too large.',
    });
  });

  it.each(['/auth/refresh', '/auth/cookie/login', '/auth/cookie/refresh'])(
    'the 16kb limit holds on POST %s too',
    async (path) => {
      const res = await request(app)
        .post(path)
        .send({ refresh_token: 'x'.repeat(17 * 1024) });
      expectError(res, 413, 'payload_too_large');
    },
  );

  it('POST /auth/token: a form over 16kb or with too many fields → 413 payload_too_large', async () => {
    const big = await request(app)
      .post('/auth/token')
      .type('form')
      .send({ username: 'alice@example.com', password: 'x'.repeat(17 * 1024) });
    expectError(big, 413, 'payload_too_large');
    const fields = Array.from({ length: 30 }, (_, i) => `f${i}=x`).join('&');
    const many = await request(app).post('/auth/token').type('form').send(fields);
    expectError(many, 413, 'payload_too_large');
  });

  it('an unsupported JSON charset → 415 unsupported_media_type', async () => {
    const res = await request(app)
      .post('/auth/login')
      .set('Content-Type', 'application/json; charset=klingon')
      .send('{"email":"alice@example.com","password":"x"}');
    expectError(res, 415, 'unsupported_media_type');
    expect(res.body).toEqual({
      name: 'UnsupportedMediaTypeError',
      code: 'unsupported_media_type',
      message: 'The request charset is not supported.',
    });
  });

  it('a class-validator failure → 400 validation_failed', async () => {
    const res = await request(app).post('/x/greet').send({ name: 'x' });
    expectError(res, 400, 'validation_failed');
    expect((res.body as { message: string }).message).toMatch(/name/);
    const ok = await request(app).post('/x/greet').send({ name: 'Ada' });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ hello: 'Ada' });
  });

  it('an unknown route is still a 404, not a crash', async () => {
    const res = await request(app).get('/x/nowhere');
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});
