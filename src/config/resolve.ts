import { expandHierarchy } from '../authz/hierarchy';
import { AuthConfigError } from '../errors/config-error';
import { defaultHashQueueLimit } from '../passwords/limiter';
import type { InvalidationRedis, ResolvedValidationCacheOptions } from '../cache/options';
import type { ResolvedThrottleOptions } from '../throttle/options';
import { env as parsers } from './checks';
import { resolveKeys } from './keys';
import type { AuthOptions, JwtAlgorithm, TokenLocation } from './options';
import type { ResolvedAuthConfig } from './resolved';
import { OPTION_GROUPS, OPTION_TABLE, type OptionSpec } from './table';

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
  'gen',
  'adr',
];

/** An environment to read `AUTH_*` variables from (`process.env` by default). */
export type AuthEnv = Readonly<Record<string, string | undefined>>;

function read(options: object, path: string): unknown {
  let node: unknown = options;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + cost);
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/**
 * The known key a mistyped one most likely meant: within 3 edits (`cookie` → `cookies`), else one
 * it is the start of (`maxAge` → `maxAgeSeconds`, `purgeInterval` → `purgeIntervalSeconds`).
 */
function closestKey(name: string, known: ReadonlySet<string>): string | undefined {
  const keys = [...known];
  const near = keys.sort((a, b) => distance(name, a) - distance(name, b))[0];
  if (near !== undefined && distance(name, near) <= 3) return near;
  const lower = name.toLowerCase();
  return lower.length < 3 ? undefined : keys.find((k) => k.toLowerCase().startsWith(lower));
}

/** Refuses keys the table does not know (`cookie` for `cookies`), naming the closest one. */
function assertKnownKeys(options: unknown, prefix = ''): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AuthConfigError(
      prefix === '' ? 'options' : prefix.slice(0, -1),
      'must be an object.',
    );
  }
  const known = new Set<string>();
  for (const spec of OPTION_TABLE) {
    if (!spec.key.startsWith(prefix)) continue;
    known.add(spec.key.slice(prefix.length).split('.')[0] ?? '');
  }
  for (const [name, value] of Object.entries(options)) {
    if (!known.has(name)) {
      const closest = closestKey(name, known);
      const hint = closest === undefined ? '' : ` Did you mean "${prefix}${closest}"?`;
      throw new AuthConfigError(
        `${prefix}${name}`,
        `is not an option of routing-controllers-auth.${hint}`,
      );
    }
    const group = `${prefix}${name}`;
    // `true` switches a group on with its defaults (`validationCache: true`).
    if (OPTION_GROUPS.includes(group) && value !== undefined && value !== false && value !== true) {
      assertKnownKeys(value, `${group}.`);
    }
  }
}

function valueOf(spec: OptionSpec, options: AuthOptions, env: AuthEnv): unknown {
  let value = read(options, spec.key);
  if (value === undefined && spec.env !== undefined) {
    const raw = env[spec.env];
    if (raw !== undefined) value = (spec.parse ?? parsers.string)(raw, spec.env);
  }
  if (value === undefined) {
    value =
      typeof spec.fallback === 'function' ? (spec.fallback as () => unknown)() : spec.fallback;
  }
  return value === undefined ? undefined : spec.check(value, spec.key, { env });
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
    // `__proto__`, `constructor`, `toString`…: a claim object cannot carry them as own values
    // (one was dropped without a word, `__proto__` swapped the prototype: pen test).
    if (name in Object.prototype) {
      throw new AuthConfigError(
        'extraClaims',
        `"${name}" is a name every JavaScript object already has; pick another claim name.`,
      );
    }
  }
  return [...value];
}

function origins(value: readonly string[]): string[] {
  return value.map((origin) => {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    // `file:`, `data:` and the like have the opaque origin "null", which sandboxed pages share;
    // a `*` would look like a wildcard and match nothing.
    if (
      parsed === undefined ||
      !['http:', 'https:'].includes(parsed.protocol) ||
      origin.includes('*')
    ) {
      throw new AuthConfigError(
        'csrf.trustedOrigins',
        `"${origin}" is not an http(s) origin like https://app.example.com (no wildcards).`,
      );
    }
    return parsed.origin;
  });
}

/** RFC 6265 cookie-name characters (an RFC 9110 token). */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkNames(cookies: ResolvedAuthConfig['cookies'], headerName: string): void {
  const names = [cookies.accessTokenName, cookies.refreshTokenName, cookies.csrfName];
  for (const [key, name] of [
    ['cookies.accessTokenName', cookies.accessTokenName],
    ['cookies.refreshTokenName', cookies.refreshTokenName],
    ['cookies.csrfName', cookies.csrfName],
  ] as const) {
    if (!COOKIE_NAME.test(name)) {
      throw new AuthConfigError(
        key,
        `"${name}" is not a valid cookie name (letters, digits, - _ . ! ...).`,
      );
    }
  }
  if (new Set(names).size !== names.length) {
    throw new AuthConfigError(
      'cookies',
      'the access, refresh and CSRF cookies need three different names.',
    );
  }
  if (
    !COOKIE_NAME.test(headerName) ||
    ['cookie', 'authorization', 'host', 'origin'].includes(headerName)
  ) {
    throw new AuthConfigError(
      'csrf.headerName',
      `"${headerName}" cannot carry the CSRF token; use e.g. x-csrf-token.`,
    );
  }
}

type Values = (key: string) => unknown;

function cookies(get: Values, explicitSecure: unknown): ResolvedAuthConfig['cookies'] {
  const sameSite = get('cookies.sameSite') as 'lax' | 'strict' | 'none';
  const hostPrefix = get('cookies.hostPrefix') as boolean;
  let secure = get('cookies.secure') as boolean;
  const domain = get('cookies.domain') as string | undefined;
  const path = get('cookies.path') as string;
  if (sameSite === 'none' || hostPrefix) {
    const why = sameSite === 'none' ? 'SameSite=None' : 'the __Host- prefix';
    if (explicitSecure === false) {
      throw new AuthConfigError(
        'cookies.secure',
        `${why} needs Secure cookies: remove secure: false.`,
      );
    }
    secure = true;
  }
  if (hostPrefix && (domain !== undefined || path !== '/')) {
    throw new AuthConfigError(
      'cookies.hostPrefix',
      '__Host- cookies must have no Domain and Path "/": remove cookies.domain and cookies.path.',
    );
  }
  const name = (key: string, prefix: string): string =>
    `${hostPrefix ? prefix : ''}${get(key) as string}`;
  return {
    // The refresh cookie is path-scoped, which __Host- forbids: it gets __Secure- instead.
    accessTokenName: name('cookies.accessTokenName', '__Host-'),
    refreshTokenName: name('cookies.refreshTokenName', '__Secure-'),
    csrfName: name('cookies.csrfName', '__Host-'),
    secure,
    sameSite,
    hostPrefix,
    domain,
    path,
    refreshPath: get('cookies.refreshPath') as string,
  };
}

function throttle(get: Values): ResolvedThrottleOptions | null {
  if (get('throttle') === false) return null;
  return {
    windowSeconds: get('throttle.windowSeconds') as number,
    perAccountAndIp: get('throttle.perAccountAndIp') as number,
    perAccount: get('throttle.perAccount') as number,
    perIp: get('throttle.perIp') as number,
    trustedSeconds: get('throttle.trustedSeconds') as number,
    foldIdentifier: get('throttle.foldIdentifier') as (identifier: string) => string,
    maxMemoryEntries: get('throttle.maxMemoryEntries') as number,
    redis: get('throttle.redis'),
    useRedisPackage: get('throttle.useRedisPackage') as boolean,
    redisTimeoutMs: get('throttle.redisTimeoutMs') as number,
    keyPrefix: get('throttle.keyPrefix') as string,
    now: get('now') as () => number,
  };
}

function validationCache(get: Values): ResolvedValidationCacheOptions | null {
  if (get('validationCache') !== true) return null;
  return {
    size: get('validationCache.size') as number,
    maxAgeSeconds: get('validationCache.maxAgeSeconds') as number,
    redis: get('validationCache.redis') as InvalidationRedis | undefined,
    channel: get('validationCache.channel') as string,
    listenUrl: get('validationCache.listenUrl') as string | undefined,
  };
}

/**
 * Merges options, environment and defaults, and validates the result once, from one table of
 * options (key, environment variable, parser, default, check). Unknown keys (`cookie` for
 * `cookies`), wrong shapes and a cyclic role hierarchy are refused too — for plain-JS callers as
 * much as for TypeScript ones. Throws an {@link AuthConfigError} naming the key and the fix.
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
  assertKnownKeys(options);
  const values = new Map<string, unknown>();
  for (const spec of OPTION_TABLE) values.set(spec.key, valueOf(spec, options, env));
  const get: Values = (key) => values.get(key);
  const algorithm = get('algorithm') as JwtAlgorithm;
  if (
    env.NODE_ENV === 'production' &&
    algorithm.startsWith('HS') &&
    get('secretKey') === undefined
  ) {
    throw new AuthConfigError(
      'secretKey',
      'NODE_ENV is production and no secret is set: set AUTH_SECRET_KEY to at least 32 random bytes.',
    );
  }
  const keys = resolveKeys({
    algorithm,
    secretKey: get('secretKey') as string | undefined,
    refreshSecretKey: get('refreshSecretKey') as string | undefined,
    privateKey: get('privateKey') as string | undefined,
    keyId: get('keyId') as string | undefined,
    verificationKeys: get('verificationKeys') as Record<string, string>,
  });
  const explicitSecure = read(options, 'cookies.secure');
  if (
    env.NODE_ENV === 'production' &&
    get('cookies.secure') === false &&
    explicitSecure !== false
  ) {
    throw new AuthConfigError(
      'AUTH_COOKIE_SECURE',
      'NODE_ENV is production: cookies without Secure are only for local http. Remove AUTH_COOKIE_SECURE=false (or pass cookies.secure: false in code if you really mean it).',
    );
  }
  const cookieConfig = cookies(get, explicitSecure);
  const headerName = (get('csrf.headerName') as string).toLowerCase();
  checkNames(cookieConfig, headerName);
  const roleHierarchy = get('roleHierarchy') as Record<string, string[]>;
  expandHierarchy(roleHierarchy); // refuses a cycle now, not on the first request
  return {
    keys,
    accessTokenTtlSeconds: Math.round((get('accessTokenExpireMinutes') as number) * 60),
    refreshTokenTtlSeconds: Math.round((get('refreshTokenExpireDays') as number) * 86_400),
    verifyTokenTtlSeconds: Math.round((get('verifyTokenExpireMinutes') as number) * 60),
    resetTokenTtlSeconds: Math.round((get('resetTokenExpireMinutes') as number) * 60),
    refreshReuseGraceSeconds: get('refreshReuseGraceSeconds') as number,
    maxSessionsPerUser: get('maxSessionsPerUser') as number,
    refreshRateLimit:
      get('refreshRateLimit') === false ? null : (get('refreshRateLimit') as number),
    purgeBatchSize: get('purgeBatchSize') as number,
    purgeIntervalSeconds:
      get('purgeIntervalSeconds') === false ? null : (get('purgeIntervalSeconds') as number),
    issuer: get('issuer') as string,
    audience: get('audience') as string,
    leewaySeconds: get('leewaySeconds') as number,
    bcryptCost: get('bcryptCost') as number,
    passwordConcurrency: get('passwordConcurrency') as number,
    passwordNice: get('passwordNice') as number,
    passwordQueueLimit:
      (get('passwordQueueLimit') as number | undefined) ??
      defaultHashQueueLimit(get('passwordConcurrency') as number),
    extraClaims: extraClaims(get('extraClaims') as string[]),
    tokenLocation: locations(get('tokenLocation') as string[]),
    cookies: cookieConfig,
    csrf: {
      headerName,
      trustedOrigins: origins(get('csrf.trustedOrigins') as string[]),
    },
    roleHierarchy,
    rolePermissions: get('rolePermissions') as Record<string, string[]>,
    requireActive: get('requireActive') as boolean,
    requireVerified: get('requireVerified') as boolean,
    enumerationSafeRegistration: get('enumerationSafeRegistration') as boolean,
    throttle: throttle(get),
    validationCache: validationCache(get),
    now: get('now') as () => number,
  };
}
