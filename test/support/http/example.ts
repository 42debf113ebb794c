import type { Express } from 'express';
import { AUTH_ENTITIES, type AuthOptions, type AuthSetup } from 'routing-controllers-auth';
import type { DataSource } from 'typeorm';
import { createApp } from '../../../example/app';
import { seedDemoUsers } from '../../../example/seed';
import { User } from '../../../example/user.entity';
import { TEST_SECRET } from '../clock';
import { closeDataSource, openDataSource, type EngineName } from '../engines';

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
