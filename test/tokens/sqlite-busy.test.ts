import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ENTITIES, hashPassword, setupAuth, type AuthSetup } from '../../src';
import { sqliteOptions } from '../../example/database';
import { TEST_SECRET } from '../support/clock';
import { TestAuth, TestUser } from '../support/users';

/**
 * Another process that takes the file's write lock, says so on stdout, and commits `holdMs`
 * later: what a second server on the same SQLite file does during its own write.
 */
function otherProcessWriting(file: string, holdMs: number): Promise<() => Promise<void>> {
  const script = `
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN IMMEDIATE');
    db.exec('INSERT INTO scratch VALUES (1)');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${holdMs});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve(() => exited);
    });
  });
}

// Recheck pen test: better-sqlite3's own wait for a locked file (`timeout`, 5 s in TypeORM) is
// synchronous: the whole process stood still. With `timeout: 0` only the store's retry waits, and
// that wait is asynchronous: the event loop keeps turning while the other process holds the lock.
describe("SQLite with timeout 0 (the example's options): the store waits for the lock without blocking the process", () => {
  // A rotation writes first, so SQLite's own busy wait applies to it: with TypeORM's 5 s
  // `timeout`, 0 timer callbacks ran during the 1.5 s lock.
  it('a refresh during a 1.5 s lock rotates, and timers keep firing meanwhile', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rca-busy0-'));
    const file = path.join(dir, 'app.sqlite');
    const ds = new DataSource({
      ...sqliteOptions(file), // timeout: 0, as the example and the README give it
      entities: [TestUser, ...AUTH_ENTITIES],
      synchronize: true,
    });
    await ds.initialize();
    const auth = setupAuth({
      dataSource: ds,
      userAuthentication: new TestAuth(ds),
      registerInContainer: false,
      options: { secretKey: TEST_SECRET, bcryptCost: 4, throttle: false },
    });
    try {
      await ds.query('CREATE TABLE scratch (x INTEGER)');
      const pair = await auth.tokens.createTokenPair(1);
      const done = await otherProcessWriting(file, 1500);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      try {
        const next = await auth.tokens.refresh(pair.refreshToken);
        expect(next.refreshToken).not.toBe(pair.refreshToken);
      } finally {
        clearInterval(timer);
      }
      await done();
      // Blocked, the loop would run about one timer callback; waiting asynchronously, ~150.
      expect(ticks).toBeGreaterThan(20);
      await expect(auth.tokens.refresh(pair.refreshToken)).rejects.toMatchObject({
        code: 'refresh_token_reused',
      });
    } finally {
      await auth.close();
      await ds.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Pen test: two example processes on one SQLite file; a logout or a replay detection that met the
// other's write answered 503 at once (SQLITE_BUSY: a transaction that had read cannot wait for
// the lock) and left the session alive.
describe('SQLite: a write that meets another process holding the lock', () => {
  let dir: string;
  let ds: DataSource;
  let auth: AuthSetup<TestUser>;
  let user: TestUser;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rca-busy-'));
    ds = new DataSource({
      ...sqliteOptions(path.join(dir, 'app.sqlite')),
      entities: [TestUser, ...AUTH_ENTITIES],
      synchronize: true,
    });
    await ds.initialize();
    await ds.query('CREATE TABLE scratch (x INTEGER)');
    const repo = ds.getRepository(TestUser);
    user = await repo.save(
      repo.create({
        email: 'busy@example.com',
        passwordHash: await hashPassword('busy-password-1', 4),
        roles: ['user'],
        permissions: [],
        isActive: true,
        isVerified: false,
      }),
    );
    auth = setupAuth({
      dataSource: ds,
      userAuthentication: new TestAuth(ds),
      registerInContainer: false,
      options: { secretKey: TEST_SECRET, bcryptCost: 4, throttle: false },
    });
  });
  afterAll(async () => {
    await auth.close();
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a logout waits for it and then revokes (no error, the session dead)', async () => {
    const pair = await auth.tokens.createTokenPair(user.id);
    const sid = auth.tokens.verify(pair.accessToken, 'access').sid;
    const done = await otherProcessWriting(path.join(dir, 'app.sqlite'), 300);
    await expect(auth.tokens.revokeSession(sid)).resolves.toBe(true);
    await done();
    await expect(auth.tokens.validateAccessToken(pair.accessToken)).rejects.toMatchObject({
      code: 'token_revoked',
    });
  });

  it('a replayed refresh token still kills the session', async () => {
    const pair = await auth.tokens.createTokenPair(user.id);
    const next = await auth.tokens.refresh(pair.refreshToken);
    const done = await otherProcessWriting(path.join(dir, 'app.sqlite'), 300);
    await expect(auth.tokens.refresh(pair.refreshToken)).rejects.toMatchObject({
      code: 'refresh_token_reused',
    });
    await done();
    await expect(auth.tokens.validateAccessToken(next.accessToken)).rejects.toMatchObject({
      code: 'token_revoked',
    });
  });
});
