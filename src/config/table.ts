import { defaultHashConcurrency } from '../passwords/limiter';
import { DEFAULT_PURGE_BATCH_SIZE } from '../tokens/store/purge';
import { foldIdentifier } from '../throttle/keys';
import { AuthConfigError } from '../errors/config-error';
import { SUPPORTED_ALGORITHMS } from './keys';
import { env, is, numberIn, oneOf, positive, type Check, type EnvParser } from './checks';

/** @internal What a default may depend on. */
export interface DefaultContext {
  /** The environment options are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * @internal One option: where it lives in `AuthOptions` (a dotted path), the environment variable
 * it falls back to, how that variable is parsed, its default, and the check of its value. This
 * table drives `resolveAuthConfig` and is held against the README's table by a test.
 */
export interface OptionSpec {
  /** Dotted path in `AuthOptions`, e.g. `cookies.secure`. */
  readonly key: string;
  /** Environment variable, if any. */
  readonly env?: string;
  /** How the variable is read. Default: as a string. */
  readonly parse?: EnvParser;
  /** The default (a function when it depends on the environment), `undefined` for none. */
  readonly fallback?: unknown;
  /** Validates the merged value. Not called for an absent optional value. */
  readonly check: Check;
  /** The default in words, as the README shows it. */
  readonly shown: string;
}

/** The longest interval a Node timer holds (2^31 − 1 ms), in whole seconds. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** bcrypt cost: 10–31, or from 4 under `NODE_ENV=test` (fast tests). */
const bcryptCost: Check = (value, key, context) => {
  const min = context.env.NODE_ENV === 'test' ? 4 : 10;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 31) {
    throw new AuthConfigError(
      key,
      `must be an integer from ${min} to 31 (default 12; below 10 only when NODE_ENV=test), got ${String(value)}.`,
    );
  }
  return value;
};

/** Every option the library reads. Objects (`cookies`, `csrf`, `throttle`) are groups of these. */
export const OPTION_TABLE: readonly OptionSpec[] = [
  {
    key: 'secretKey',
    env: 'AUTH_SECRET_KEY',
    check: is.keyMaterial,
    shown: 'none (required for HS*)',
  },
  {
    key: 'refreshSecretKey',
    env: 'AUTH_REFRESH_SECRET_KEY',
    check: is.keyMaterial,
    shown: '`secretKey`',
  },
  {
    key: 'algorithm',
    env: 'AUTH_JWT_ALGORITHM',
    fallback: 'HS256',
    check: oneOf(SUPPORTED_ALGORITHMS, ' (never "none")'),
    shown: '`HS256`',
  },
  {
    key: 'privateKey',
    env: 'AUTH_PRIVATE_KEY',
    check: is.keyMaterial,
    shown: 'none (required for ES*/PS256)',
  },
  { key: 'keyId', env: 'AUTH_KEY_ID', check: is.optionalString, shown: 'JWK thumbprint' },
  { key: 'verificationKeys', fallback: {}, check: is.keyRecord, shown: '`{}`' },
  {
    key: 'accessTokenExpireMinutes',
    env: 'AUTH_ACCESS_TOKEN_EXPIRE_MINUTES',
    parse: env.number,
    fallback: 15,
    check: positive('minutes', 60, 24 * 60),
    shown: '`15`',
  },
  {
    key: 'refreshTokenExpireDays',
    env: 'AUTH_REFRESH_TOKEN_EXPIRE_DAYS',
    parse: env.number,
    fallback: 7,
    check: positive('days', 86_400, 366),
    shown: '`7`',
  },
  {
    key: 'verifyTokenExpireMinutes',
    env: 'AUTH_VERIFY_TOKEN_EXPIRE_MINUTES',
    parse: env.number,
    fallback: 1440,
    check: positive('minutes', 60, 30 * 24 * 60),
    shown: '`1440`',
  },
  {
    key: 'resetTokenExpireMinutes',
    env: 'AUTH_RESET_TOKEN_EXPIRE_MINUTES',
    parse: env.number,
    fallback: 60,
    check: positive('minutes', 60, 7 * 24 * 60),
    shown: '`60`',
  },
  {
    key: 'refreshReuseGraceSeconds',
    env: 'AUTH_REFRESH_REUSE_GRACE_SECONDS',
    parse: env.number,
    fallback: 0,
    check: numberIn(0, 60, 'seconds', true),
    shown: '`0` (strict)',
  },
  {
    key: 'maxSessionsPerUser',
    env: 'AUTH_MAX_SESSIONS_PER_USER',
    parse: env.number,
    fallback: 50,
    check: numberIn(1, 1_000_000, 'sessions', true),
    shown: '`50`',
  },
  {
    key: 'refreshRateLimit',
    env: 'AUTH_REFRESH_RATE_LIMIT',
    parse: env.numberOrOff,
    fallback: 30,
    check: (value, key, context) =>
      value === false
        ? false
        : numberIn(1, 1_000_000, 'refreshes per minute', true)(value, key, context),
    shown: '`30` per minute per session',
  },
  {
    key: 'purgeBatchSize',
    env: 'AUTH_PURGE_BATCH_SIZE',
    parse: env.number,
    fallback: DEFAULT_PURGE_BATCH_SIZE,
    check: numberIn(1, 100_000, 'rows', true),
    shown: `\`${DEFAULT_PURGE_BATCH_SIZE}\``,
  },
  {
    key: 'purgeIntervalSeconds',
    env: 'AUTH_PURGE_INTERVAL_SECONDS',
    parse: env.numberOrOff,
    fallback: false,
    check: (value, key, context) =>
      value === false || value === 0
        ? false
        : numberIn(1, MAX_TIMER_SECONDS, 'seconds', true)(value, key, context),
    shown: 'off',
  },
  {
    key: 'issuer',
    env: 'AUTH_ISSUER',
    fallback: 'routing-controllers-auth',
    check: is.string,
    shown: '`routing-controllers-auth`',
  },
  {
    key: 'audience',
    env: 'AUTH_AUDIENCE',
    fallback: 'routing-controllers-auth',
    check: is.string,
    shown: '`routing-controllers-auth`',
  },
  {
    key: 'leewaySeconds',
    env: 'AUTH_LEEWAY_SECONDS',
    parse: env.number,
    fallback: 5,
    check: numberIn(0, 30, 'seconds'),
    shown: '`5`',
  },
  {
    key: 'bcryptCost',
    env: 'AUTH_BCRYPT_COST',
    parse: env.number,
    fallback: 12,
    check: bcryptCost,
    shown: '`12`',
  },
  {
    key: 'passwordConcurrency',
    env: 'AUTH_PASSWORD_CONCURRENCY',
    parse: env.number,
    fallback: () => defaultHashConcurrency(),
    check: numberIn(1, 1024, 'operations', true),
    shown: 'cores − 1 (at least 1)',
  },
  {
    key: 'passwordQueueLimit',
    env: 'AUTH_PASSWORD_QUEUE_LIMIT',
    parse: env.number,
    check: numberIn(0, 1_000_000, 'waiting bcrypt operations', true),
    shown: '8 × `passwordConcurrency`',
  },
  {
    key: 'passwordNice',
    env: 'AUTH_PASSWORD_NICE',
    parse: env.number,
    fallback: 10,
    check: numberIn(0, 19, 'nice levels', true),
    shown: '`10` (Linux; `0`: libuv pool)',
  },
  { key: 'extraClaims', fallback: [], check: is.stringList, shown: '`[]`' },
  {
    key: 'tokenLocation',
    env: 'AUTH_TOKEN_LOCATION',
    parse: env.list,
    fallback: ['header', 'cookie'],
    check: is.stringList,
    shown: '`["header", "cookie"]`',
  },
  {
    key: 'cookies.accessTokenName',
    fallback: 'access_token',
    check: is.string,
    shown: '`access_token`',
  },
  {
    key: 'cookies.refreshTokenName',
    fallback: 'refresh_token',
    check: is.string,
    shown: '`refresh_token`',
  },
  { key: 'cookies.csrfName', fallback: 'csrf_token', check: is.string, shown: '`csrf_token`' },
  {
    key: 'cookies.secure',
    env: 'AUTH_COOKIE_SECURE',
    parse: env.boolean,
    fallback: true,
    check: is.boolean,
    shown: '`true`',
  },
  {
    key: 'cookies.sameSite',
    env: 'AUTH_COOKIE_SAMESITE',
    parse: env.lowerCase,
    fallback: 'lax',
    check: oneOf(['lax', 'strict', 'none']),
    shown: '`lax`',
  },
  {
    key: 'cookies.hostPrefix',
    env: 'AUTH_COOKIE_HOST_PREFIX',
    parse: env.boolean,
    fallback: false,
    check: is.boolean,
    shown: '`false`',
  },
  { key: 'cookies.domain', check: is.optionalString, shown: 'none (host-only)' },
  { key: 'cookies.path', fallback: '/', check: is.string, shown: '`/`' },
  { key: 'cookies.refreshPath', fallback: '/auth', check: is.string, shown: '`/auth`' },
  { key: 'csrf.headerName', fallback: 'x-csrf-token', check: is.string, shown: '`x-csrf-token`' },
  {
    key: 'csrf.trustedOrigins',
    env: 'AUTH_CSRF_TRUSTED_ORIGINS',
    parse: env.list,
    fallback: [],
    check: is.stringList,
    shown: '`[]`',
  },
  { key: 'roleHierarchy', fallback: {}, check: is.listRecord, shown: '`{}`' },
  { key: 'rolePermissions', fallback: {}, check: is.listRecord, shown: '`{}`' },
  { key: 'requireActive', fallback: true, check: is.boolean, shown: '`true`' },
  { key: 'requireVerified', fallback: false, check: is.boolean, shown: '`false`' },
  {
    key: 'enumerationSafeRegistration',
    env: 'AUTH_ENUMERATION_SAFE_REGISTRATION',
    parse: env.boolean,
    fallback: false,
    check: is.boolean,
    shown: '`false` (409 for a taken address)',
  },
  {
    key: 'throttle',
    env: 'AUTH_THROTTLE',
    parse: env.boolean,
    fallback: true,
    check: throttleSwitch,
    shown: 'on, in memory',
  },
  {
    key: 'throttle.windowSeconds',
    fallback: 900,
    check: numberIn(1, 86_400 * 30, 'seconds', true),
    shown: '`900`',
  },
  {
    key: 'throttle.perAccountAndIp',
    fallback: 10,
    check: numberIn(1, 1e9, 'attempts', true),
    shown: '`10`',
  },
  {
    key: 'throttle.perAccount',
    fallback: 100,
    check: numberIn(1, 1e9, 'attempts', true),
    shown: '`100`',
  },
  {
    key: 'throttle.perIp',
    fallback: 100,
    check: numberIn(1, 1e9, 'attempts', true),
    shown: '`100`',
  },
  {
    key: 'throttle.trustedSeconds',
    fallback: 2_592_000,
    check: numberIn(0, 86_400 * 365, 'seconds', true),
    shown: '`2592000` (30 days)',
  },
  {
    key: 'throttle.foldIdentifier',
    fallback: () => foldIdentifier,
    check: is.fold,
    shown: '`foldIdentifier` (NFKD, marks stripped, case-folded, trimmed)',
  },
  {
    key: 'throttle.maxMemoryEntries',
    fallback: 10_000,
    check: numberIn(1, 1e9, 'keys', true),
    shown: '`10000` per counter',
  },
  { key: 'throttle.redis', check: is.object, shown: 'none (memory)' },
  {
    key: 'throttle.redisTimeoutMs',
    fallback: 200,
    check: numberIn(1, 60_000, 'milliseconds', true),
    shown: '`200`',
  },
  { key: 'throttle.useRedisPackage', fallback: false, check: is.boolean, shown: '`false`' },
  { key: 'throttle.keyPrefix', fallback: 'rca-login', check: is.string, shown: '`rca-login`' },
  {
    key: 'validationCache',
    env: 'AUTH_VALIDATION_CACHE',
    parse: env.boolean,
    fallback: false,
    check: cacheSwitch,
    shown: 'off (one store query per request)',
  },
  {
    key: 'validationCache.size',
    env: 'AUTH_VALIDATION_CACHE_SIZE',
    parse: env.number,
    fallback: 10_000,
    check: numberIn(1, 10_000_000, 'entries', true),
    shown: '`10000`',
  },
  {
    key: 'validationCache.maxAgeSeconds',
    env: 'AUTH_VALIDATION_CACHE_MAX_AGE_SECONDS',
    parse: env.number,
    fallback: 30,
    check: numberIn(1, 3600, 'seconds'),
    shown: '`30`',
  },
  {
    key: 'validationCache.redis',
    check: redisClient,
    shown: 'none (PostgreSQL: LISTEN/NOTIFY; SQLite: in-process)',
  },
  {
    key: 'validationCache.channel',
    env: 'AUTH_VALIDATION_CACHE_CHANNEL',
    fallback: 'rca_invalidations',
    check: channelName,
    shown: '`rca_invalidations`',
  },
  {
    key: 'validationCache.listenUrl',
    env: 'AUTH_VALIDATION_CACHE_LISTEN_URL',
    check: is.optionalString,
    shown: "the DataSource's connection",
  },
  { key: 'now', fallback: () => Date.now, check: is.function, shown: '`Date.now`' },
];

/** `throttle: false` (or `AUTH_THROTTLE=off`) turns it off; an object configures it. */
function throttleSwitch(value: unknown, key: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return true;
  throw new AuthConfigError(key, 'must be false (off) or an object of throttle options.');
}

/** `validationCache: true` (or `AUTH_VALIDATION_CACHE=on`) turns it on; an object configures it. */
function cacheSwitch(value: unknown, key: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return true;
  throw new AuthConfigError(key, 'must be true, false or an object of validation cache options.');
}

/** An ioredis client: something with `duplicate` (the library opens its own connections). */
function redisClient(value: unknown, key: string): unknown {
  if (value === undefined || value === null) return undefined;
  const client = value as { duplicate?: unknown };
  if (typeof client.duplicate !== 'function') {
    throw new AuthConfigError(key, 'must be an ioredis client (with duplicate).');
  }
  return value;
}

/** A channel name usable both as a PostgreSQL identifier and as a Redis channel. */
function channelName(value: unknown, key: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value)) {
    throw new AuthConfigError(
      key,
      'must be a letter or _ followed by letters, digits or _, at most 63 in all.',
    );
  }
  return value;
}

/** @internal The option groups: objects whose members are table entries of their own. */
export const OPTION_GROUPS: readonly string[] = ['cookies', 'csrf', 'throttle', 'validationCache'];
