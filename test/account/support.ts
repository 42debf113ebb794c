import express, { type Express } from 'express';
import { useContainer, useExpressServer } from 'routing-controllers';
import request from 'supertest';
import { Container } from 'typedi';
import type { DataSource, Repository } from 'typeorm';
import { expect } from 'vitest';
import {
  AUTH_ENTITIES,
  AuthController,
  AuthUser,
  hashPassword,
  setupAuth,
  TypeOrmUserAuthentication,
  type AccountMail,
  type AuthOptions,
  type AuthSetup,
} from '../../src';
import { TEST_SECRET, testClock, type TestClock } from '../support/clock';
import { closeDataSource, openDataSource, type EngineName } from '../support/engines';

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
  /** Makes a user straight in the table. */
  make: (email: string, password: string, fields?: Partial<AuthUser>) => Promise<AuthUser>;
  /** Waits for the mail and hooks started so far, then the messages of `kind` to `to`. */
  mails: (to: string, kind: AccountMail['kind']) => Promise<AccountMail[]>;
  close: () => Promise<void>;
}

/** Builds an {@link AccountApp} on `engine`. */
export async function buildAccountApp(
  engine: EngineName,
  options: AuthOptions = {},
  mailer?: (message: AccountMail) => void | Promise<void>,
): Promise<AccountApp> {
  const ds = await openDataSource(engine, { entities: [AuthUser, ...AUTH_ENTITIES] });
  const repo = ds.getRepository(AuthUser);
  const clock = testClock(Date.now());
  const outbox: AccountMail[] = [];
  const logged: string[] = [];
  useContainer(Container);
  const auth = setupAuth({
    dataSource: ds,
    userAuthentication: new TypeOrmUserAuthentication(repo),
    options: {
      secretKey: TEST_SECRET,
      bcryptCost: 4,
      now: clock.now,
      maxSessionsPerUser: 10_000,
      ...options,
    },
    mailer: {
      send: async (message) => {
        outbox.push(message);
        await mailer?.(message);
      },
    },
    logError: (task, error) => logged.push(`${task}: ${(error as Error).message}`),
    registerInContainer: false,
  });
  const app = express();
  useExpressServer(app, {
    ...auth.serverOptions,
    controllers: [AuthController, ...auth.accountControllers],
  });
  const make = async (email: string, password: string, fields: Partial<AuthUser> = {}) =>
    repo.save(
      repo.create({
        email,
        passwordHash: await hashPassword(password, 4),
        roles: ['user'],
        permissions: [],
        isActive: true,
        isVerified: false,
        ...fields,
      }),
    );
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
