import type { KeyObject } from 'node:crypto';
import type { ResolvedValidationCacheOptions } from '../cache/options';
import type { ResolvedThrottleOptions } from '../throttle/options';
import type { JwtAlgorithm, TokenLocation } from './options';

/** Signing and verification keys, resolved once at setup. */
export interface ResolvedKeys {
  /** The configured algorithm: the only one ever accepted. */
  readonly algorithm: JwtAlgorithm;
  /** Key that signs access tokens. */
  readonly accessSigningKey: KeyObject;
  /** Key that signs refresh tokens. */
  readonly refreshSigningKey: KeyObject;
  /** `kid` written into headers (asymmetric algorithms only). */
  readonly keyId: string | undefined;
  /** HMAC: the keys that verify each type. Asymmetric: unused (see `verificationKeys`). */
  readonly accessVerifyKey: KeyObject;
  /** HMAC key that verifies refresh tokens. */
  readonly refreshVerifyKey: KeyObject;
  /** Asymmetric algorithms: public keys by `kid`. Empty for HMAC. */
  readonly verificationKeys: ReadonlyMap<string, KeyObject>;
}

/** The validated configuration every part of the library reads. Produced by `resolveAuthConfig`. */
export interface ResolvedAuthConfig {
  /** Signing and verification keys. */
  readonly keys: ResolvedKeys;
  /** Access-token lifetime, seconds. */
  readonly accessTokenTtlSeconds: number;
  /** Absolute session (refresh) lifetime, seconds. */
  readonly refreshTokenTtlSeconds: number;
  /** Email-verification token lifetime, seconds. */
  readonly verifyTokenTtlSeconds: number;
  /** Password-reset token lifetime, seconds. */
  readonly resetTokenTtlSeconds: number;
  /** Grace window after a rotation for the just-rotated refresh token, seconds (0 = strict). */
  readonly refreshReuseGraceSeconds: number;
  /** Live login sessions per user before the oldest is revoked. */
  readonly maxSessionsPerUser: number;
  /** Refreshes per session per minute (per instance), or `null` when unlimited. */
  readonly refreshRateLimit: number | null;
  /** Rows of one table a purge deletes per transaction. */
  readonly purgeBatchSize: number;
  /** Seconds between two scheduled purges, or `null` when `setupAuth` schedules none. */
  readonly purgeIntervalSeconds: number | null;
  /** `iss` issued and required. */
  readonly issuer: string;
  /** `aud` issued and required. */
  readonly audience: string;
  /** Clock leeway for `exp` / `nbf`, seconds. */
  readonly leewaySeconds: number;
  /** bcrypt cost factor. */
  readonly bcryptCost: number;
  /** bcrypt operations allowed at once. */
  readonly passwordConcurrency: number;
  /** bcrypt operations allowed to wait; more answer 503 `auth_busy`. */
  readonly passwordQueueLimit: number;
  /** Nice value of the bcrypt worker threads (Linux); 0 = libuv's pool. */
  readonly passwordNice: number;
  /** Names of extra claims copied into tokens. */
  readonly extraClaims: readonly string[];
  /** Where tokens are read from. */
  readonly tokenLocation: readonly TokenLocation[];
  /** Cookie names and attributes. */
  readonly cookies: {
    /** Access-token cookie name. */
    readonly accessTokenName: string;
    /** Refresh-token cookie name. */
    readonly refreshTokenName: string;
    /** CSRF cookie name. */
    readonly csrfName: string;
    /** `Secure` attribute. */
    readonly secure: boolean;
    /** `SameSite` attribute. */
    readonly sameSite: 'lax' | 'strict' | 'none';
    /** Whether the names carry the `__Host-` / `__Secure-` prefixes (already applied to the names). */
    readonly hostPrefix: boolean;
    /** `Domain` attribute, if any. */
    readonly domain: string | undefined;
    /** `Path` of the access and CSRF cookies. */
    readonly path: string;
    /** `Path` of the refresh cookie. */
    readonly refreshPath: string;
  };
  /** CSRF settings. */
  readonly csrf: {
    /** Header echoing the CSRF cookie (lower-case). */
    readonly headerName: string;
    /** Origins allowed besides the request's own. */
    readonly trustedOrigins: readonly string[];
  };
  /** Role → roles it includes. */
  readonly roleHierarchy: Readonly<Record<string, readonly string[]>>;
  /** Role → permissions it grants. */
  readonly rolePermissions: Readonly<Record<string, readonly string[]>>;
  /** Default of the active-user requirement. */
  readonly requireActive: boolean;
  /** Default of the verified-user requirement. */
  readonly requireVerified: boolean;
  /** Registration answers 202 for taken and free addresses alike. */
  readonly enumerationSafeRegistration: boolean;
  /** Login throttling, or `null` when off. */
  readonly throttle: ResolvedThrottleOptions | null;
  /** The validation cache, or `null` when off (strict: one store query per validation). */
  readonly validationCache: ResolvedValidationCacheOptions | null;
  /** The clock, ms since the epoch. */
  readonly now: () => number;
}
