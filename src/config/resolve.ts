import { AuthConfigError } from '../errors/config-error';
import { defaultHashConcurrency, defaultHashQueueLimit } from '../passwords/limiter';
import { resolveKeys, SUPPORTED_ALGORITHMS } from './keys';
import type { AuthOptions, JwtAlgorithm, TokenLocation } from './options';
import { foldIdentifier } from '../throttle/keys';
import type { ResolvedThrottleOptions, ThrottleOptions } from '../throttle/options';
import type { ResolvedAuthConfig } from './resolved';

/** Claims the library owns; `extraClaims` can never name them. */
export const REGISTERED_CLAIMS: readonly string[] = [
  'sub',
  'jti',
  'type',
  'sid',
  'iat',
  'exp',
  'nbf',
  'iss',
  'aud',
];

/** An environment to read `AUTH_*` variables from (`process.env` by default). */
export type AuthEnv = Readonly<Record<string, string | undefined>>;
type Env = AuthEnv;

function envNumber(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new AuthConfigError(name, `"${raw}" is not a number.`);
  }
  return value;
}

function envBool(env: Env, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new AuthConfigError(name, `"${raw}" is not a boolean (use true or false).`);
}

function envList(env: Env, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function nonEmpty(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function positive(key: string, value: number, unit: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new AuthConfigError(key, `must be a positive number of ${unit}, got ${value}.`);
  }
  return value;
}

function algorithm(value: string): JwtAlgorithm {
  const found = SUPPORTED_ALGORITHMS.find((a) => a === value);
  if (found === undefined) {
    throw new AuthConfigError(
      'algorithm',
      `"${value}" is not supported; use one of ${SUPPORTED_ALGORITHMS.join(', ')} (never "none").`,
    );
  }
  return found;
}

function bcryptCost(value: number, env: Env): number {
  const min = env.NODE_ENV === 'test' ? 4 : 10;
  if (!Number.isInteger(value) || value < min || value > 31) {
    throw new AuthConfigError(
      'bcryptCost',
      `must be an integer from ${min} to 31 (default 12; below 10 only when NODE_ENV=test), got ${value}.`,
    );
  }
  return value;
}

function locations(value: readonly string[]): TokenLocation[] {
  const result: TokenLocation[] = [];
  for (const item of value) {
    if (item !== 'header' && item !== 'cookie') {
      throw new AuthConfigError('tokenLocation', `"${item}" is not "header" or "cookie".`);
    }
    if (!result.includes(item)) result.push(item);
  }
  if (result.length === 0) {
    throw new AuthConfigError('tokenLocation', 'must name at least one of "header", "cookie".');
  }
  return result;
}

function extraClaims(value: readonly string[]): string[] {
  for (const name of value) {
    if (REGISTERED_CLAIMS.includes(name)) {
      throw new AuthConfigError(
        'extraClaims',
        `"${name}" is a registered claim the library sets itself; remove it from extraClaims.`,
      );
    }
  }
  return [...value];
}

function origins(value: readonly string[]): string[] {
  return value.map((origin) => {
    try {
      return new URL(origin).origin;
    } catch {
      throw new AuthConfigError(
        'csrf.trustedOrigins',
        `"${origin}" is not an origin like https://app.example.com.`,
      );
    }
  });
}

function count(key: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new AuthConfigError(key, `must be a positive whole number, got ${value}.`);
  }
  return value;
}

function queueLimit(value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new AuthConfigError(
      'passwordQueueLimit',
      `must be a whole number of waiting bcrypt operations (0 or more), got ${value}.`,
    );
  }
  return value;
}

function throttle(
  value: ThrottleOptions | false | undefined,
  env: Env,
  now: () => number,
): ResolvedThrottleOptions | null {
  if (value === false) return null;
  if (value === undefined && envBool(env, 'AUTH_THROTTLE') === false) return null;
  const options = value ?? {};
  const fold = options.foldIdentifier ?? foldIdentifier;
  if (typeof fold !== 'function') {
    throw new AuthConfigError('throttle.foldIdentifier', 'must be a function (string) => string.');
  }
  return {
    windowSeconds: count('throttle.windowSeconds', options.windowSeconds ?? 900),
    perAccountAndIp: count('throttle.perAccountAndIp', options.perAccountAndIp ?? 10),
    perAccount: count('throttle.perAccount', options.perAccount ?? 100),
    perIp: count('throttle.perIp', options.perIp ?? 100),
    foldIdentifier: fold,
    maxMemoryEntries: count('throttle.maxMemoryEntries', options.maxMemoryEntries ?? 10_000),
    redis: options.redis,
    useRedisPackage: options.useRedisPackage ?? false,
    redisTimeoutMs: count('throttle.redisTimeoutMs', options.redisTimeoutMs ?? 200),
    keyPrefix: options.keyPrefix ?? 'rca-login',
    now,
  };
}

/**
 * Merges options, environment and defaults, and validates the result once. Throws an
 * {@link AuthConfigError} naming the key and the fix for anything invalid.
 *
 * @param options - explicit options; they win over the environment.
 * @param env - the environment to read `AUTH_*` variables from. Default `process.env`.
 * @example
 * ```ts
 * const config = resolveAuthConfig({ secretKey: process.env.AUTH_SECRET_KEY });
 * ```
 */
export function resolveAuthConfig(
  options: AuthOptions = {},
  env: AuthEnv = process.env,
): ResolvedAuthConfig {
  const alg = algorithm(options.algorithm ?? nonEmpty(env, 'AUTH_JWT_ALGORITHM') ?? 'HS256');
  if (
    env.NODE_ENV === 'production' &&
    alg.startsWith('HS') &&
    (options.secretKey ?? nonEmpty(env, 'AUTH_SECRET_KEY')) === undefined
  ) {
    throw new AuthConfigError(
      'secretKey',
      'NODE_ENV is production and no secret is set: set AUTH_SECRET_KEY to at least 32 random bytes.',
    );
  }
  const keys = resolveKeys({
    algorithm: alg,
    secretKey: options.secretKey ?? nonEmpty(env, 'AUTH_SECRET_KEY'),
    refreshSecretKey: options.refreshSecretKey ?? nonEmpty(env, 'AUTH_REFRESH_SECRET_KEY'),
    privateKey: options.privateKey ?? nonEmpty(env, 'AUTH_PRIVATE_KEY'),
    keyId: options.keyId ?? nonEmpty(env, 'AUTH_KEY_ID'),
    verificationKeys: options.verificationKeys ?? {},
  });
  const accessMinutes = positive(
    'accessTokenExpireMinutes',
    options.accessTokenExpireMinutes ?? envNumber(env, 'AUTH_ACCESS_TOKEN_EXPIRE_MINUTES') ?? 15,
    'minutes',
  );
  const refreshDays = positive(
    'refreshTokenExpireDays',
    options.refreshTokenExpireDays ?? envNumber(env, 'AUTH_REFRESH_TOKEN_EXPIRE_DAYS') ?? 7,
    'days',
  );
  const leeway = options.leewaySeconds ?? envNumber(env, 'AUTH_LEEWAY_SECONDS') ?? 5;
  if (!Number.isFinite(leeway) || leeway < 0 || leeway > 30) {
    throw new AuthConfigError('leewaySeconds', `must be between 0 and 30 seconds, got ${leeway}.`);
  }
  const issuer = options.issuer ?? nonEmpty(env, 'AUTH_ISSUER') ?? 'routing-controllers-auth';
  const audience = options.audience ?? nonEmpty(env, 'AUTH_AUDIENCE') ?? 'routing-controllers-auth';
  if (issuer === '') throw new AuthConfigError('issuer', 'must not be empty.');
  if (audience === '') throw new AuthConfigError('audience', 'must not be empty.');
  const cookies = options.cookies ?? {};
  const sameSite =
    cookies.sameSite ?? nonEmpty(env, 'AUTH_COOKIE_SAMESITE')?.toLowerCase() ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    throw new AuthConfigError('cookies.sameSite', `must be "lax" or "strict", got "${sameSite}".`);
  }
  const now = options.now ?? Date.now;
  const passwordConcurrency = count(
    'passwordConcurrency',
    options.passwordConcurrency ??
      envNumber(env, 'AUTH_PASSWORD_CONCURRENCY') ??
      defaultHashConcurrency(),
  );
  return {
    keys,
    accessTokenTtlSeconds: Math.round(accessMinutes * 60),
    refreshTokenTtlSeconds: Math.round(refreshDays * 86_400),
    issuer,
    audience,
    leewaySeconds: leeway,
    bcryptCost: bcryptCost(options.bcryptCost ?? envNumber(env, 'AUTH_BCRYPT_COST') ?? 12, env),
    passwordConcurrency,
    passwordQueueLimit: queueLimit(
      options.passwordQueueLimit ??
        envNumber(env, 'AUTH_PASSWORD_QUEUE_LIMIT') ??
        defaultHashQueueLimit(passwordConcurrency),
    ),
    extraClaims: extraClaims(options.extraClaims ?? []),
    tokenLocation: locations(
      options.tokenLocation ?? envList(env, 'AUTH_TOKEN_LOCATION') ?? ['header', 'cookie'],
    ),
    cookies: {
      accessTokenName: cookies.accessTokenName ?? 'access_token',
      refreshTokenName: cookies.refreshTokenName ?? 'refresh_token',
      csrfName: cookies.csrfName ?? 'csrf_token',
      secure: cookies.secure ?? envBool(env, 'AUTH_COOKIE_SECURE') ?? true,
      sameSite,
      domain: cookies.domain,
      path: cookies.path ?? '/',
      refreshPath: cookies.refreshPath ?? '/auth',
    },
    csrf: {
      headerName: (options.csrf?.headerName ?? 'x-csrf-token').toLowerCase(),
      trustedOrigins: origins(
        options.csrf?.trustedOrigins ?? envList(env, 'AUTH_CSRF_TRUSTED_ORIGINS') ?? [],
      ),
    },
    roleHierarchy: options.roleHierarchy ?? {},
    requireActive: options.requireActive ?? true,
    requireVerified: options.requireVerified ?? false,
    throttle: throttle(options.throttle, env, now),
    now,
  };
}
