import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import {
  Authorized,
  Delete,
  Get,
  JsonController,
  Post,
  useContainer,
  useExpressServer,
} from 'routing-controllers';
import { Container, Service } from 'typedi';
import type { DataSource } from 'typeorm';
import {
  AccessToken,
  AUTH_ENTITIES,
  AuthController,
  CurrentUser,
  permission,
  RefreshToken,
  setupAuth,
  verified,
  type AccessClaims,
  type AuthOptions,
  type AuthSetup,
  type RefreshClaims,
} from '../../src';
import { TEST_SECRET, testClock, type TestClock } from './clock';
import { closeDataSource, openDataSource, type EngineName } from './engines';
import { TestAuth, TestUser, userMaker } from './users';

@JsonController('/t')
@Service()
export class ProbeController {
  @Get('/me')
  me(@CurrentUser() user: TestUser) {
    return { id: user.id, email: user.email };
  }

  @Get('/optional')
  optional(@CurrentUser({ optional: true }) user: TestUser | undefined) {
    return { id: user?.id ?? null };
  }

  @Get('/moderator')
  moderator(@CurrentUser(['moderator']) user: TestUser) {
    return { id: user.id };
  }

  @Get('/verified')
  verifiedOnly(@CurrentUser({ verified: true }) user: TestUser) {
    return { id: user.id };
  }

  @Get('/claims')
  claims(@AccessToken() claims: AccessClaims) {
    return { sub: claims.sub, type: claims.type };
  }

  @Post('/refresh-claims')
  refreshClaims(@RefreshToken() claims: RefreshClaims) {
    return { sub: claims.sub, type: claims.type };
  }

  @Authorized()
  @Get('/any')
  any() {
    return { ok: true };
  }

  @Authorized(['admin'])
  @Get('/admin')
  admin() {
    return { ok: true };
  }

  @Authorized([permission('users:delete')])
  @Delete('/users/:id')
  remove() {
    return { ok: true };
  }

  @Authorized(['user', permission('reports:read')])
  @Get('/reports')
  reports() {
    return { ok: true };
  }

  @Authorized([verified()])
  @Post('/verified-action')
  verifiedAction() {
    return { ok: true };
  }

  @Authorized(['user'])
  @Get('/all-at-once')
  allAtOnce(
    @CurrentUser() user: TestUser,
    @AccessToken() claims: AccessClaims,
    @CurrentUser(['user']) again: TestUser,
  ) {
    return { same: user === again, sub: claims.sub };
  }

  @Post('/write')
  write(@CurrentUser() user: TestUser) {
    return { id: user.id };
  }
}

export interface TestApp {
  app: Express;
  auth: AuthSetup<TestUser>;
  ds: DataSource;
  clock: TestClock;
  users: Record<'alice' | 'admin' | 'mod' | 'inactive' | 'verified' | 'ops', TestUser>;
  close: () => Promise<void>;
}

export const PASSWORDS = {
  alice: 'alice-password-1',
  admin: 'admin-password-1',
  mod: 'mod-password-1',
  inactive: 'inactive-password-1',
  verified: 'verified-password-1',
  ops: 'ops-password-1',
} as const;

/** A real Express app with routing-controllers, the library and a TypeORM user table. */
export async function buildTestApp(
  engine: EngineName = 'sqlite',
  options: AuthOptions = {},
  bridge: (ds: DataSource) => TestAuth = (ds) => new TestAuth(ds),
): Promise<TestApp> {
  const ds = await openDataSource(engine, { entities: [TestUser, ...AUTH_ENTITIES] });
  const clock = testClock(Date.now());
  useContainer(Container);
  const auth = setupAuth({
    dataSource: ds,
    userAuthentication: bridge(ds),
    options: {
      secretKey: TEST_SECRET,
      bcryptCost: 4,
      now: clock.now,
      roleHierarchy: { admin: ['moderator'], moderator: ['user'] },
      cookies: { secure: false },
      // Suites log one user in far more than 50 times under a frozen clock, where "oldest session"
      // is a tie; the cap has tests of its own (test/tokens/conformance).
      maxSessionsPerUser: 10_000,
      ...options,
    },
  });
  const make = userMaker(ds.getRepository(TestUser));
  const users = {
    alice: await make('alice@example.com', PASSWORDS.alice),
    admin: await make('admin@example.com', PASSWORDS.admin, {
      roles: ['admin'],
      permissions: ['users:*'],
    }),
    mod: await make('mod@example.com', PASSWORDS.mod, { roles: ['moderator'] }),
    inactive: await make('inactive@example.com', PASSWORDS.inactive, { isActive: false }),
    verified: await make('verified@example.com', PASSWORDS.verified, {
      isVerified: true,
      permissions: ['reports:read'],
    }),
    ops: await make('ops@example.com', PASSWORDS.ops, {
      roles: ['ops'],
      permissions: ['users:delete'],
    }),
  };
  const app = express();
  app.use(cookieParser());
  useExpressServer(app, {
    ...auth.serverOptions,
    controllers: [AuthController, ProbeController],
  });
  return { app, auth, ds, clock, users, close: () => closeDataSource(ds) };
}
