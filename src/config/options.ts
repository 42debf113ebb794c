import type { KeyObject } from 'node:crypto';
import type { ValidationCacheOptions } from '../cache/options';
import type { ThrottleOptions } from '../throttle/options';

/** Signing algorithms this library accepts: one family per key, never `none`. */
export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512' | 'ES256' | 'ES384' | 'PS256';

/** Where tokens are read from on incoming requests. */
export type TokenLocation = 'header' | 'cookie';

/** Cookie transport settings. Every field is optional. */
export interface CookieOptions {
  /** Name of the access-token cookie. Default `"access_token"`. */
  accessTokenName?: string;
  /** Name of the refresh-token cookie. Default `"refresh_token"`. */
  refreshTokenName?: string;
  /** Name of the readable CSRF cookie. Default `"csrf_token"`. */
  csrfName?: string;
  /**
   * `Secure` attribute. Default `true`; turn off only for local plain-http development
   * (env `AUTH_COOKIE_SECURE=false`).
   */
  secure?: boolean;
  /**
   * `SameSite` attribute: `"lax"` (default), `"strict"`, or `"none"` for a browser app on another
   * site (then `Secure` is forced, and the CSRF check stays on). Env `AUTH_COOKIE_SAMESITE`.
   */
  sameSite?: 'lax' | 'strict' | 'none';
  /**
   * Name the cookies with the `__Host-` prefix (the refresh cookie, being path-scoped, with
   * `__Secure-`), so a sibling subdomain cannot plant or overwrite them. Forces `Secure`; needs no
   * `domain` and `path` `"/"`. Env `AUTH_COOKIE_HOST_PREFIX`. Default `false`.
   */
  hostPrefix?: boolean;
  /** `Domain` attribute. Default: none (host-only cookies). */
  domain?: string;
  /** `Path` of the access-token and CSRF cookies. Default `"/"`. */
  path?: string;
  /**
   * `Path` of the refresh-token cookie, so browsers send it only where it is used.
   * Default `"/auth"`.
   */
  refreshPath?: string;
}

/** CSRF protection for cookie-authenticated unsafe requests. */
export interface CsrfOptions {
  /** Header that must echo the CSRF cookie. Default `"x-csrf-token"`. */
  headerName?: string;
  /**
   * Origins (scheme://host[:port]) allowed besides the request's own host. Default `[]`.
   * Env `AUTH_CSRF_TRUSTED_ORIGINS` (comma-separated).
   */
  trustedOrigins?: readonly string[];
}

/**
 * Everything the library can be configured with. Every field is optional; each one states its
 * default and the environment variable it falls back to. Explicit options win over the
 * environment, which wins over the default. Validated once, at setup.
 *
 * @example
 * ```ts
 * const options: AuthOptions = {
 *   secretKey: process.env.AUTH_SECRET_KEY, // >= 32 random bytes
 *   accessTokenExpireMinutes: 15,
 *   roleHierarchy: { admin: ['moderator'], moderator: ['user'] },
 * };
 * ```
 */
export interface AuthOptions {
  /**
   * HMAC secret (HS algorithms), at least 32 random bytes. Env `AUTH_SECRET_KEY`. No default: setup
   * fails without one (tests excepted, which pass their own). Setup also refuses a secret that is
   * long enough but not random: mostly placeholder words, a short pattern repeated, under 8
   * distinct bytes, or under 128 bits of estimated entropy (`randomBytes(48).toString('base64url')`
   * always passes).
   */
  secretKey?: string | KeyObject;
  /**
   * Separate HMAC secret for refresh tokens, checked like `secretKey`. Env
   * `AUTH_REFRESH_SECRET_KEY`. Default: `secretKey`.
   */
  refreshSecretKey?: string | KeyObject;
  /** Signing algorithm. Env `AUTH_JWT_ALGORITHM`. Default `"HS256"`. */
  algorithm?: JwtAlgorithm;
  /** Private key (PEM or KeyObject) for ES256/ES384/PS256. Env `AUTH_PRIVATE_KEY`. */
  privateKey?: string | KeyObject;
  /**
   * `kid` of the signing key (asymmetric algorithms). Env `AUTH_KEY_ID`.
   * Default: the key's RFC 7638 JWK thumbprint.
   */
  keyId?: string;
  /**
   * Further public keys by `kid` (PEM or KeyObject) still accepted for verification, so a
   * signing key can be rotated without logging everyone out. Default `{}`. The current key
   * is always included. A token's `kid` is only ever looked up in this map.
   */
  verificationKeys?: Record<string, string | KeyObject>;
  /** Access-token lifetime in minutes. Env `AUTH_ACCESS_TOKEN_EXPIRE_MINUTES`. Default `15`. */
  accessTokenExpireMinutes?: number;
  /**
   * Absolute lifetime of a session's refresh tokens, in days: rotation never extends it.
   * Env `AUTH_REFRESH_TOKEN_EXPIRE_DAYS`. Default `7`.
   */
  refreshTokenExpireDays?: number;
  /**
   * Lifetime of an email-verification token, in minutes. Env `AUTH_VERIFY_TOKEN_EXPIRE_MINUTES`.
   * Default `1440` (one day).
   */
  verifyTokenExpireMinutes?: number;
  /**
   * Lifetime of a password-reset token, in minutes. Env `AUTH_RESET_TOKEN_EXPIRE_MINUTES`.
   * Default `60`.
   */
  resetTokenExpireMinutes?: number;
  /**
   * Seconds after a rotation during which presenting the refresh token that was just rotated
   * hands back the same successor pair (same `jti`) instead of counting as reuse: for clients
   * that send two refreshes at once. 0–60. Env `AUTH_REFRESH_REUSE_GRACE_SECONDS`. Default `0`
   * (strict: any second use revokes the session).
   */
  refreshReuseGraceSeconds?: number;
  /**
   * Live login sessions one user may hold; starting one more revokes the oldest.
   * Env `AUTH_MAX_SESSIONS_PER_USER`. Default `50`.
   */
  maxSessionsPerUser?: number;
  /**
   * Refreshes allowed per session per minute, counted in memory per instance; more answer 429
   * `too_many_requests` with `Retry-After`. `false` (env `AUTH_REFRESH_RATE_LIMIT=off`) turns it
   * off. Env `AUTH_REFRESH_RATE_LIMIT`. Default `30`.
   */
  refreshRateLimit?: number | false;
  /**
   * Rows of one table `purgeExpired()` deletes per transaction, 1–100000; between two batches it
   * rests twice as long as the batch took, leaving the database to requests. Env
   * `AUTH_PURGE_BATCH_SIZE`. Default `250`.
   */
  purgeBatchSize?: number;
  /**
   * Purge expired rows every this many seconds (1–2147483), from `setupAuth` until
   * `auth.close()`: a failed purge is logged (`logError`) and tried again at the next tick, and
   * the timer never keeps the process alive. `false` or `0` (env `AUTH_PURGE_INTERVAL_SECONDS=off`)
   * turns it off. Env `AUTH_PURGE_INTERVAL_SECONDS`. Default off: call `auth.tokens.purgeExpired()`
   * on a schedule of your own. With several instances, one purging is enough.
   */
  purgeIntervalSeconds?: number | false;
  /** `iss` claim issued and required. Env `AUTH_ISSUER`. Default `"routing-controllers-auth"`. */
  issuer?: string;
  /** `aud` claim issued and required. Env `AUTH_AUDIENCE`. Default `"routing-controllers-auth"`. */
  audience?: string;
  /** Clock leeway for `exp`/`nbf`/`iat`, 0–30 seconds. Env `AUTH_LEEWAY_SECONDS`. Default `5`. */
  leewaySeconds?: number;
  /**
   * bcrypt cost factor, 10–31 (4–31 when `NODE_ENV=test`). Env `AUTH_BCRYPT_COST`. Default `12`.
   */
  bcryptCost?: number;
  /**
   * bcrypt operations allowed at once; more queue (off the event loop). Env
   * `AUTH_PASSWORD_CONCURRENCY`. Default: the machine's cores minus one, at least 1 — so a login
   * storm never takes every core from the requests that are not logging in.
   */
  passwordConcurrency?: number;
  /**
   * bcrypt operations allowed to wait for a free slot; one more is refused at once with 503
   * `auth_busy` and `Retry-After` instead of queueing (a storm of wrong passwords would otherwise
   * make a real login wait for all of them). Env `AUTH_PASSWORD_QUEUE_LIMIT`. Default
   * `8 × passwordConcurrency`; `0` sheds whenever every slot is busy.
   */
  passwordQueueLimit?: number;
  /**
   * On Linux, the nice value (0–19) of the worker threads that run bcrypt: higher yields more of
   * the CPU to the event loop during a login storm, and to every other process on the machine
   * (at 19 a busy host can starve logins). `0` runs bcrypt on libuv's thread pool at the
   * process's own priority. Env `AUTH_PASSWORD_NICE`. Default `10`. Ignored elsewhere.
   */
  passwordNice?: number;
  /**
   * Names of extra claims allowed into tokens (from `BaseUserAuthentication.getExtraClaims()` or
   * `TokenService` calls). A claim not listed here is refused with an `AuthConfigError`, never
   * dropped. Registered claims (`sub`, `jti`, `type`, `sid`, `iat`, `exp`, `nbf`, `iss`, `aud`)
   * can never be listed. Default `[]`.
   */
  extraClaims?: readonly string[];
  /**
   * Where tokens are read from. Env `AUTH_TOKEN_LOCATION` (e.g. `"header,cookie"`).
   * Default `["header", "cookie"]`. A request presenting both at once is refused (400).
   */
  tokenLocation?: readonly TokenLocation[];
  /** Cookie transport. See {@link CookieOptions}. */
  cookies?: CookieOptions;
  /** CSRF protection. See {@link CsrfOptions}. */
  csrf?: CsrfOptions;
  /**
   * Role inheritance: each role maps to the roles it includes, e.g.
   * `{ admin: ['moderator'], moderator: ['user'] }`. Default `{}`.
   */
  roleHierarchy?: Readonly<Record<string, readonly string[]>>;
  /**
   * Permissions each role grants (FastAuth's role → permissions), wildcards allowed, inherited
   * through `roleHierarchy`: with `{ admin: ['users:*'] }`, `permission('users:delete')` passes for
   * an admin. A user holds these plus their own `getPermissions()`. Default `{}`.
   */
  rolePermissions?: Readonly<Record<string, readonly string[]>>;
  /** Whether `@CurrentUser()` and `@Authorized()` require an active user by default. Default `true`. */
  requireActive?: boolean;
  /** Whether they require a verified user by default. Default `false`. */
  requireVerified?: boolean;
  /**
   * Registration answers 202 with no body whether or not the address is taken, and the owner of a
   * taken address is told by mail (`already-registered`), so registration cannot be used to learn
   * which addresses have accounts. Default `false`: 201 with the user, 409 `email_taken` for a
   * taken address. Env `AUTH_ENUMERATION_SAFE_REGISTRATION`.
   */
  enumerationSafeRegistration?: boolean;
  /**
   * Brute-force throttling of the login routes, or `false` to turn it off (env `AUTH_THROTTLE=off`).
   * Default: on, in memory, with the defaults of {@link ThrottleOptions}.
   */
  throttle?: ThrottleOptions | false;
  /**
   * The opt-in validation cache: `true` (env `AUTH_VALIDATION_CACHE=on`) or its options. Default
   * off: every validation is one store query. See {@link ValidationCacheOptions}; on
   * MariaDB/MySQL it needs `redis`.
   */
  validationCache?: ValidationCacheOptions | boolean;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. Tests pass their own. */
  now?: () => number;
}
