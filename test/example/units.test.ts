import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTH_ENTITIES, PasswordHasher } from 'routing-controllers-auth';
import { DataSource, type Repository } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExampleAuth } from '../../example/auth';
import { connectionOptions, DEFAULT_SQLITE_FILE, sqliteOptions } from '../../example/database';
import { outboxMailer } from '../../example/mailer';
import { DEMO_USERS, seedDemoUsers } from '../../example/seed';
import { parseUserId } from '../../example/user-id';
import { User } from '../../example/user.entity';
import { closeDataSource, describeEngines, openDataSource } from '../support/engines';

describe('example: DATABASE_URL', () => {
  it('defaults to the SQLite file in the working directory', () => {
    expect(connectionOptions(undefined)).toMatchObject({
      type: 'better-sqlite3',
      database: DEFAULT_SQLITE_FILE,
      enableWAL: true,
      timeout: 0, // the store waits for a locked file, without blocking the process
    });
    expect(connectionOptions('')).toMatchObject({ type: 'better-sqlite3' });
  });

  // A commit blocks the event loop (better-sqlite3 is synchronous): the WAL makes a login's
  // commit cheaper. better-sqlite3 reopens a WAL file with synchronous = NORMAL (a power cut may
  // undo the last commits, a logout among them); the example keeps FULL on every open.
  it('opens its SQLite file in WAL mode with synchronous FULL, on the first open and after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rca-wal-'));
    try {
      for (let open = 0; open < 2; open++) {
        const ds = new DataSource({ ...sqliteOptions(join(dir, 'app.sqlite')), entities: [User] });
        await ds.initialize();
        const pragma = async (name: string) =>
          (await ds.query<Record<string, unknown>[]>(`PRAGMA ${name}`))[0]?.[name];
        expect(await pragma('journal_mode')).toBe('wal');
        expect(await pragma('synchronous')).toBe(2);
        await ds.destroy();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('picks pg for postgres:// and mysql2 for mysql:// and mariadb://', () => {
    expect(connectionOptions('postgres://u@h/db')).toEqual({
      type: 'postgres',
      url: 'postgres://u@h/db',
    });
    expect(connectionOptions('postgresql://u@h/db')).toMatchObject({ type: 'postgres' });
    expect(connectionOptions('mysql://root@h:3306/db')).toEqual({
      type: 'mysql',
      url: 'mysql://root@h:3306/db',
    });
    expect(connectionOptions('mariadb://root@h:3306/db')).toEqual({
      type: 'mysql',
      url: 'mysql://root@h:3306/db',
    });
  });

  it('refuses any other scheme, naming the accepted ones', () => {
    expect(() => connectionOptions('sqlite://x')).toThrow(/postgres:\/\/.*mysql:\/\//);
  });
});

describe('example: user ids', () => {
  it('accepts canonical positive integers in INTEGER range only', () => {
    expect(parseUserId('7')).toBe(7);
    expect(parseUserId('2147483647')).toBe(2147483647);
    for (const raw of ['', '0', '07', '-1', '1.0', '1e3', ' 7', 'NaN', 'abc', '2147483648']) {
      expect(parseUserId(raw)).toBeNull();
    }
  });

  it('getUserById never queries for an id that is not one', async () => {
    const findOneBy = vi.fn();
    const auth = new ExampleAuth({ findOneBy } as unknown as Repository<User>);
    expect(await auth.getUserById('abc')).toBeNull();
    expect(await auth.getUserById('NaN')).toBeNull();
    expect(findOneBy).not.toHaveBeenCalled();
  });
});

describe('example: mailer', () => {
  it('appends one JSON line per message to MAIL_OUTBOX', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rca-mail-'));
    const outbox = join(dir, 'outbox.jsonl');
    vi.stubEnv('MAIL_OUTBOX', outbox);
    try {
      const mailer = outboxMailer();
      await mailer.send({ to: 'a@example.com', kind: 'verify', token: 't1', userId: '1' });
      await mailer.send({ to: 'b@example.com', kind: 'reset', token: 't2', userId: '2' });
      const lines = (await readFile(outbox, 'utf8')).trimEnd().split('\n');
      expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
        {
          to: 'a@example.com',
          kind: 'verify',
          token: 't1',
          userId: '1',
          sentAt: expect.any(String) as string,
        },
        {
          to: 'b@example.com',
          kind: 'reset',
          token: 't2',
          userId: '2',
          sentAt: expect.any(String) as string,
        },
      ]);
    } finally {
      vi.unstubAllEnvs();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describeEngines('example: ExampleAuth and seeding', (engine) => {
  let ds: DataSource;
  let auth: ExampleAuth;
  beforeAll(async () => {
    ds = await openDataSource(engine, { entities: [User, ...AUTH_ENTITIES] });
    auth = new ExampleAuth(ds.getRepository(User));
  });
  afterAll(() => closeDataSource(ds));

  it('seeds the demo users once, with hashed passwords', async () => {
    expect(await seedDemoUsers(ds, new PasswordHasher(4))).toBe(true);
    expect(await seedDemoUsers(ds, new PasswordHasher(4))).toBe(false);
    const users = await ds.getRepository(User).find({ order: { id: 'ASC' } });
    expect(users.map((u) => u.email)).toEqual(DEMO_USERS.map((u) => u.email));
    const admin = users.find((u) => u.email === 'admin@example.com');
    expect(admin).toMatchObject({
      roles: ['admin'],
      permissions: ['users:read', 'users:write', 'users:delete'],
      isActive: true,
    });
    expect(users.find((u) => u.email === 'inactive@example.com')?.isActive).toBe(false);
    expect(users.every((u) => /^\$2b\$04\$/.test(u.passwordHash))).toBe(true);
  });

  it('authenticates by email, case-insensitively, and refuses a wrong password', async () => {
    auth.passwords = new PasswordHasher(4);
    expect(
      (await auth.authenticate({ username: 'ALICE@example.com', password: 'alice-password-1' }))
        ?.email,
    ).toBe('alice@example.com');
    expect(await auth.authenticate({ username: 'alice@example.com', password: 'nope-nope' })).toBe(
      null,
    );
    expect(await auth.authenticate({ username: 'ghost@example.com', password: 'x' })).toBeNull();
  });

  it('persists a hash upgraded to the configured cost at login', async () => {
    auth.passwords = new PasswordHasher(5);
    const user = await auth.authenticate({
      username: 'alice@example.com',
      password: 'alice-password-1',
    });
    expect(user?.email).toBe('alice@example.com');
    const stored = await ds.getRepository(User).findOneByOrFail({ email: 'alice@example.com' });
    expect(stored.passwordHash).toMatch(/^\$2b\$05\$/);
    expect(await auth.getUserById(String(stored.id))).toMatchObject({ email: 'alice@example.com' });
    expect(auth.getUserId(stored)).toBe(stored.id);
  });
});
