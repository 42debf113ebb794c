import express, { type Express } from 'express';
import { useContainer, useExpressServer } from 'routing-controllers';
import request from 'supertest';
import { Container } from 'typedi';
import type { DataSource, Repository } from 'typeorm';
import { expect } from 'vitest';
import {
  AUTH_ENTITIES,
  AuthController,
  notFoundHandler,
  AuthUser,
  setupAuth,
  TypeOrmUserAuthentication,
  type AccountMail,
  type AuthOptions,
  type AuthSetup,
  type BaseUserAuthentication,
} from '../../src';
import { TEST_SECRET, testClock, type TestClock } from '../support/clock';
import { closeDataSource, openDataSource, type EngineName } from '../support/engines';
import { userMaker } from '../support/users';

/** An app with the ready user table, the ready bridge and every account controller. */
export interface AccountApp {
  app: Express;
  auth: AuthSetup<AuthUser>;
  ds: DataSource;
  repo: Repository<AuthUser>;
  clock: TestClock;
  /** Every message the mailer got, in order. */
  outbox: AccountMail[];
  /** What the background logger got. */
  logged: string[];
  /** What setup logged as warnings (account routes left out). */
  warnings: string[];
  /** Makes a user straight in the table. */
  make: (email: string, password: string, fields?: Partial<AuthUser>) => Promise<AuthUser>;
  /** Waits for the mail and hooks started so far, then the messages of `kind` to `to`. */
  mails: (to: string, kind: AccountMail['kind']) => Promise<AccountMail[]>;
  close: () => Promise<void>;
}

/** What {@link buildAccountApp} may change besides the options. */
export interface AccountAppExtras {
  /** Runs after the outbox recorded a message: throw, reject or hang to fail the mailer. */
  mailer?: (message: AccountMail) => void | Promise<void>;
  /** The bridge. Default: the ready `TypeOrmUserAuthentication`. */
  bridge?: (repo: Repository<AuthUser>) => BaseUserAuthentication<AuthUser>;
  /** The environment `AUTH_*` is read from. Default: `process.env`. */
  env?: Record<string, string>;
}

/** Builds an {@link AccountApp} on `engine`. */
export async function buildAccountApp(
  engine: EngineName,
  options: AuthOptions = {},
  extras: AccountAppExtras = {},
): Promise<AccountApp> {
  const ds = await openDataSource(engine, { entities: [AuthUser, ...AUTH_ENTITIES] });
  const repo = ds.getRepository(AuthUser);
  const clock = testClock(Date.now());
  const outbox: AccountMail[] = [];
  const logged: string[] = [];
  const warnings: string[] = [];
  useContainer(Container);
  const auth = setupAuth({
    dataSource: ds,
    userAuthentication: extras.bridge?.(repo) ?? new TypeOrmUserAuthentication(repo),
    options: {
      secretKey: TEST_SECRET,
      bcryptCost: 4,
      now: clock.now,
      maxSessionsPerUser: 10_000,
      ...options,
    },
    mailer: {
      // Not async: a mailer that throws at once must reach the library as a synchronous throw.
      send: (message) => {
        outbox.push(message);
        return extras.mailer?.(message);
      },
    },
    logError: (task, error) => logged.push(`${task}: ${(error as Error).message}`),
    logWarning: (message) => warnings.push(message),
    registerInContainer: false,
    env: extras.env,
  });
  const app = express();
  useExpressServer(app, {
    ...auth.serverOptions,
    controllers: [AuthController, ...auth.accountControllers],
  });
  app.use(notFoundHandler); // as the example has it
  const make = userMaker(repo);
  const mails = async (to: string, kind: AccountMail['kind']) => {
    await auth.account.idle();
    return outbox.filter((m) => m.to === to && m.kind === kind);
  };
  return {
    app,
    auth,
    ds,
    repo,
    clock,
    outbox,
    logged,
    warnings,
    make,
    mails,
    close: () => closeDataSource(ds),
  };
}

/** Logs in; asserts 200; returns the access and refresh tokens. */
export async function signIn(
  app: Express,
  email: string,
  password: string,
): Promise<{ access: string; refresh: string }> {
  const res = await request(app).post('/auth/login').send({ email, password });
  expect(res.status, res.text).toBe(200);
  const body = res.body as { access_token: string; refresh_token: string };
  return { access: body.access_token, refresh: body.refresh_token };
}

/** `GET /users/me` with a token: its status. */
export async function meStatus(app: Express, access: string): Promise<number> {
  return (await request(app).get('/users/me').set('Authorization', `Bearer ${access}`)).status;
}

/** The headers that must not tell two answers apart (everything but the date). */
export function comparableHeaders(res: request.Response): Record<string, unknown> {
  const { date: _date, ...rest } = res.headers as Record<string, unknown>;
  return rest;
}
