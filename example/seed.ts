import { In, type DataSource } from 'typeorm';
import type { PasswordHasher } from 'routing-controllers-auth';
import { User } from './user.entity';

/** A demo account created on first start. */
export interface DemoUser {
  email: string;
  password: string;
  roles: string[];
  permissions: string[];
  isActive: boolean;
}

/** The demo accounts of DESIGN.md: a user, an admin, and an inactive user. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: 'alice@example.com',
    password: 'alice-password-1',
    roles: ['user'],
    permissions: [],
    isActive: true,
  },
  {
    email: 'admin@example.com',
    password: 'admin-password-1',
    roles: ['admin'],
    permissions: ['users:read', 'users:write', 'users:delete'],
    isActive: true,
  },
  {
    email: 'inactive@example.com',
    password: 'inactive-password-1',
    roles: ['user'],
    permissions: [],
    isActive: false,
  },
];

/**
 * Creates the {@link DEMO_USERS} when the users table is empty (the first start), hashing their
 * passwords with `hasher`. Returns whether it seeded; an existing database is left alone.
 */
export async function seedDemoUsers(
  dataSource: DataSource,
  hasher: PasswordHasher,
): Promise<boolean> {
  const users = dataSource.getRepository(User);
  if ((await users.count()) > 0) return false;
  for (const demo of DEMO_USERS) {
    await users.insert({
      email: demo.email,
      passwordHash: await hasher.hash(demo.password),
      roles: demo.roles,
      permissions: demo.permissions,
      isActive: demo.isActive,
      isVerified: true,
    });
  }
  return true;
}

/** One line per demo account: email, password, and what it may do. */
export function describeDemoUsers(): string {
  return DEMO_USERS.map((u) => {
    const what = u.isActive ? `roles ${u.roles.join(',')}` : 'inactive';
    const perms = u.permissions.length > 0 ? `, permissions ${u.permissions.join(',')}` : '';
    return `  ${u.email} / ${u.password}  (${what}${perms})`;
  }).join('\n');
}

/**
 * The demo users at startup, and what to print about them. Outside production: seeds them on
 * first start and lists them with their passwords. Under `NODE_ENV=production`: seeds nothing,
 * prints no password, says so, and warns about any demo account already in the database (its
 * password is public).
 */
export async function prepareDemoUsers(
  dataSource: DataSource,
  hasher: PasswordHasher,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  if (env.NODE_ENV !== 'production') {
    const seeded = await seedDemoUsers(dataSource, hasher);
    return `${seeded ? 'Seeded' : 'Demo'} users (email / password):\n${describeDemoUsers()}`;
  }
  const present = await dataSource
    .getRepository(User)
    .find({ where: { email: In(DEMO_USERS.map((u) => u.email)) }, order: { id: 'ASC' } });
  const lines = [
    'NODE_ENV=production: demo users are not seeded (create accounts with POST /auth/register).',
  ];
  for (const user of present) {
    lines.push(
      `WARNING: demo account ${user.email} exists and its password is public: delete it or change its password.`,
    );
  }
  return lines.join('\n');
}
