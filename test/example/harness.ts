import type { Express } from 'express';
import { AUTH_ENTITIES, type AuthOptions, type AuthSetup } from 'routing-controllers-auth';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { expect } from 'vitest';
import { createApp } from '../../example/app';
import { seedDemoUsers } from '../../example/seed';
import { User } from '../../example/user.entity';
import { TEST_SECRET } from '../support/clock';
import { closeDataSource, openDataSource, type EngineName } from '../support/engines';

/** The example's options under test: a fixed secret, bcrypt cost 4, cookies over plain http. */
export const TEST_OPTIONS: AuthOptions = {
  secretKey: TEST_SECRET,
  bcryptCost: 4,
  cookies: { secure: false },
};

/** A running example app on one engine, seeded with the demo users. */
export interface ExampleHarness {
  dataSource: DataSource;
  app: Express;
  auth: AuthSetup<User>;
}

/**
 * Opens a fresh database on `engine`, builds the app on it, and seeds the demo users (unless
 * `seed` is false).
 */
export async function startExample(
  engine: EngineName,
  options: AuthOptions = TEST_OPTIONS,
  { seed = true }: { seed?: boolean } = {},
): Promise<ExampleHarness> {
  const dataSource = await openDataSource(engine, { entities: [User, ...AUTH_ENTITIES] });
  const { app, auth } = createApp({ dataSource, options });
  if (seed) await seedDemoUsers(dataSource, auth.passwords);
  return { dataSource, app, auth };
}

/** Drops the app's database. Nothing else to forget: each app is its own setup. */
export async function stopExample(harness: ExampleHarness | undefined): Promise<void> {
  if (harness) await closeDataSource(harness.dataSource);
}

/** The token pair body of `/auth/login`, `/auth/token` and `/auth/refresh`. */
export interface PairBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

/** Logs in through `POST /auth/login` and returns the pair (asserts 200). */
export async function login(app: Express, email: string, password: string): Promise<PairBody> {
  const res = await request(app).post('/auth/login').send({ email, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as PairBody;
}

/** An `Authorization` header value for a token. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** `expect.any(String)`, typed, for object matchers. */
export const anyString = (): string => expect.any(String) as string;

/** `expect.any(Number)`, typed, for object matchers. */
export const anyNumber = (): number => expect.any(Number) as number;

/** Asserts a coded error body: exactly `{ name, code, message }`, with this code. */
export function expectCoded(body: unknown, code: string): void {
  expect(body).toEqual({ name: anyString(), code, message: anyString() });
}

/** The `Set-Cookie` lines of a response, keyed by cookie name. */
export function setCookies(res: request.Response): Map<string, string> {
  const lines = res.get('Set-Cookie') ?? [];
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line]));
}
