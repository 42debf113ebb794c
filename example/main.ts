import 'reflect-metadata';
import { createSecretKey, randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { clientErrorHandler, type AuthOptions } from 'routing-controllers-auth';
import { createApp } from './app';
import { createDataSource } from './database';
import { purgeIntervalSeconds } from './purge';
import { prepareDemoUsers } from './seed';

const production = process.env.NODE_ENV === 'production';
/** The Redis client for shared throttling, when `REDIS_URL` is set. */
let redis: Redis | undefined;

/** `PORT` as a TCP port; default 3000. */
function port(): number {
  const raw = process.env.PORT ?? '3000';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65_535) throw new Error(`PORT must be 0-65535, got "${raw}".`);
  return value;
}

/**
 * Options for this run. Without `AUTH_SECRET_KEY` (outside production) a random 48-byte secret is
 * made, so tokens die at restart; in production the library refuses to start instead. Outside
 * production, cookies drop `Secure` so the cookie flow works on http://localhost. With
 * `REDIS_URL`, login throttling counts in Redis, shared by every instance, and the validation
 * cache (`AUTH_VALIDATION_CACHE=on`) hears of revocations through Redis pub/sub (without it:
 * LISTEN/NOTIFY on PostgreSQL, the in-process bus on SQLite).
 */
function authOptions(): AuthOptions {
  const options: AuthOptions = {};
  if (!process.env.AUTH_SECRET_KEY && !production) {
    options.secretKey = createSecretKey(randomBytes(48));
    console.log(
      'AUTH_SECRET_KEY is not set: using a random secret, so every token dies at restart. ' +
        "Keep them with: export AUTH_SECRET_KEY=$(node -e \"console.log(require('crypto').randomBytes(48).toString('base64url'))\")",
    );
  }
  if (process.env.REDIS_URL) {
    // Login throttling shared by every instance of the app. While Redis is away, commands fail at
    // once instead of queueing (the library then counts in memory), and errors are logged once
    // per outage instead of once per reconnect attempt.
    redis = new Redis(process.env.REDIS_URL, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    });
    let down = false;
    redis.on('error', (error: Error) => {
      if (!down) console.error(`Redis unavailable (${error.message}); throttling in memory.`);
      down = true;
    });
    redis.on('ready', () => {
      if (down) console.log('Redis is back; throttling in Redis again.');
      down = false;
    });
    options.throttle = { redis };
    if (/^(1|true|yes|on)$/i.test(process.env.AUTH_VALIDATION_CACHE?.trim() ?? '')) {
      options.validationCache = { redis };
    }
  }
  if (!production && process.env.AUTH_COOKIE_SECURE === undefined) {
    options.cookies = { secure: false };
  }
  return options;
}

/**
 * The library's purge schedule every `PURGE_INTERVAL_MINUTES` (default 60; `0` or `off`: never),
 * said in the log.
 */
function purgeSchedule(raw: string | undefined): Pick<AuthOptions, 'purgeIntervalSeconds'> {
  const seconds = purgeIntervalSeconds(raw);
  console.log(
    seconds === false
      ? 'PURGE_INTERVAL_MINUTES is off: expired tokens are never purged by this process.'
      : `Purging expired tokens every ${seconds / 60} minutes.`,
  );
  return { purgeIntervalSeconds: seconds };
}

async function main(): Promise<void> {
  const listenPort = port();
  const options = { ...authOptions(), ...purgeSchedule(process.env.PURGE_INTERVAL_MINUTES) };
  const dataSource = createDataSource();
  await dataSource.initialize();
  const { app, auth } = createApp({ dataSource, options });
  console.log(await prepareDemoUsers(dataSource, auth.passwords));
  const close = async (): Promise<void> => {
    await auth.close(); // the purge schedule, and the validation cache's listener if any
    await dataSource.destroy();
  };

  const server = app.listen(listenPort, (error?: Error) => {
    // Express 5 hands listen errors (e.g. EADDRINUSE) to this callback.
    if (error) {
      console.error(`Cannot listen on port ${listenPort}: ${error.message}`);
      process.exitCode = 1;
      void close();
      return;
    }
    const base = `http://localhost:${listenPort}`;
    console.log(`Listening on ${base} (${dataSource.options.type})`);
    if (production) return; // no demo user to try
    console.log(
      `Try: curl -s ${base}/auth/login -H 'content-type: application/json' ` +
        `-d '{"email":"alice@example.com","password":"alice-password-1"}'`,
    );
  });
  // What Node's parser refuses before Express (headers over 16 kB, a malformed request line)
  // answers coded JSON too, not a bare status line.
  server.on('clientError', clientErrorHandler);
  const stop = (): void => {
    server.close(() => void close());
    void redis?.quit();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
