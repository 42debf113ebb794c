import type { KeyObject } from 'node:crypto';
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
  readonly keys: ResolvedKeys;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly issuer: string;
  readonly audience: string;
  readonly leewaySeconds: number;
  readonly bcryptCost: number;
  readonly extraClaims: readonly string[];
  readonly tokenLocation: readonly TokenLocation[];
  readonly cookies: {
    readonly accessTokenName: string;
    readonly refreshTokenName: string;
    readonly csrfName: string;
    readonly secure: boolean;
    readonly sameSite: 'lax' | 'strict';
    readonly domain: string | undefined;
    readonly path: string;
    readonly refreshPath: string;
  };
  readonly csrf: { readonly headerName: string; readonly trustedOrigins: readonly string[] };
  readonly roleHierarchy: Readonly<Record<string, readonly string[]>>;
  readonly requireActive: boolean;
  readonly requireVerified: boolean;
  readonly throttle: ResolvedThrottleOptions | null;
  readonly now: () => number;
}
