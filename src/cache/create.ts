import type { DataSource } from 'typeorm';
import type { ResolvedAuthConfig } from '../config/resolved';
import { AuthConfigError } from '../errors/config-error';
import type { InvalidationChannel } from './channel';
import { LocalChannel } from './local-channel';
import { PostgresChannel } from './postgres-channel';
import { RedisChannel } from './redis-channel';
import { ValidationCache } from './validation-cache';

/** Drivers of one SQLite file, reached only from this process by the in-process bus. */
const SQLITE = new Set(['better-sqlite3', 'sqlite', 'sqljs']);

/** The file of a SQLite DataSource, or `null` for an in-memory database (no other process). */
function sqliteFile(dataSource: DataSource): string | null {
  const database = (dataSource.options as { database?: unknown }).database;
  if (typeof database !== 'string' || database === '' || database === ':memory:') return null;
  return database.startsWith('file::memory:') ? null : database;
}

/**
 * @internal The validation cache of one setup with its invalidation channel, or `null` when the
 * cache is off. Redis when a client is given; otherwise PostgreSQL's LISTEN/NOTIFY, or the
 * in-process bus on SQLite. Any other database (MariaDB/MySQL) cannot tell other instances of a
 * revocation by itself: refused with an {@link AuthConfigError}. Not started yet. `notice` hears
 * the channel go down and come back.
 */
export function createValidationCache(
  dataSource: DataSource,
  config: ResolvedAuthConfig,
  notice?: (message: string) => void,
): ValidationCache | null {
  const options = config.validationCache;
  if (options === null) return null;
  // Said in the background (a channel down or back, a PUBLISH sent again) or at setup: a logger
  // that throws must change nothing (unguarded in the channel, it lost a revocation — review).
  const say = (message: string): void => {
    try {
      notice?.(message);
    } catch {
      // The cache's and the channel's state never depend on the logger.
    }
  };
  const type = dataSource.options.type;
  let channel: InvalidationChannel;
  if (options.redis !== undefined) {
    channel = new RedisChannel(
      options.redis,
      options.channel,
      options.maxAgeSeconds * 1000,
      config.now,
      say,
    );
  } else if (type === 'postgres') {
    channel = new PostgresChannel(dataSource, options.channel, options.listenUrl);
  } else if (SQLITE.has(type)) {
    channel = new LocalChannel(dataSource, options.channel);
    const file = sqliteFile(dataSource);
    // Nothing here can tell that another process opened the file (pen test: two example
    // processes with AUTH_VALIDATION_CACHE=on and no Redis; B kept a logged-out token 30 s).
    if (file !== null) {
      say(
        `validation cache on the SQLite file ${file}: revocations reach only this process. ` +
          `If another process serves the same file, give validationCache.redis: until then it ` +
          `may accept a revoked token for up to ${options.maxAgeSeconds} s.`,
      );
    }
  } else {
    throw new AuthConfigError(
      'validationCache.redis',
      `the validation cache needs an invalidation channel, and ${type} has none of its own: ` +
        'give validationCache: { redis } (an ioredis client) so every instance hears of every ' +
        'revocation, or turn the cache off.',
    );
  }
  return new ValidationCache(
    { size: options.size, maxAgeMs: options.maxAgeSeconds * 1000, now: config.now },
    channel,
    say,
  );
}
