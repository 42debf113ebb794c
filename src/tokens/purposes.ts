import { hkdfSync, createSecretKey, type KeyObject } from 'node:crypto';
import type { ResolvedAuthConfig, ResolvedKeys } from '../config/resolved';
import type { TokenType } from './claims';

/**
 * How a token of a purpose may be used:
 * - `session`: valid while its row and its session are live (access tokens);
 * - `rotating`: traded once for a new pair; a second use is reuse (refresh tokens);
 * - `single-use`: consumed exactly once by `TokenService.consumeToken` (verify, reset, mfa).
 */
export type TokenUse = 'session' | 'rotating' | 'single-use';

/**
 * Which key signs a purpose: the configured access key, the configured refresh key, or (HMAC
 * algorithms) a key derived from the access secret with HKDF for this purpose alone, so tokens of
 * derived purposes cannot be MACed into one another even though one secret is configured.
 * Asymmetric algorithms sign every purpose with the one private key; the `type` claim, checked on
 * every use, keeps them apart.
 */
export type PurposeKey = 'access' | 'refresh' | 'derived';

/** One row of {@link TOKEN_PURPOSES}. */
export interface TokenPurpose<T extends TokenType = TokenType> {
  /** The `type` claim. */
  readonly type: T;
  /** Lifetime in seconds, from the configuration. */
  readonly ttlSeconds: (config: ResolvedAuthConfig) => number;
  /** The key that signs it. */
  readonly key: PurposeKey;
  /** How it may be used. */
  readonly use: TokenUse;
}

/** Lifetime of a second-factor challenge: five minutes. */
export const MFA_TOKEN_TTL_SECONDS = 300;

/**
 * The token purposes. Adding a purpose is one entry here (and its name in `TokenType`).
 *
 * @example
 * ```ts
 * TOKEN_PURPOSES.reset.ttlSeconds(config); // 3600 by default
 * ```
 */
export const TOKEN_PURPOSES: { readonly [T in TokenType]: TokenPurpose<T> } = {
  access: {
    type: 'access',
    ttlSeconds: (c) => c.accessTokenTtlSeconds,
    key: 'access',
    use: 'session',
  },
  refresh: {
    type: 'refresh',
    ttlSeconds: (c) => c.refreshTokenTtlSeconds,
    key: 'refresh',
    use: 'rotating',
  },
  verify: {
    type: 'verify',
    ttlSeconds: (c) => c.verifyTokenTtlSeconds,
    key: 'derived',
    use: 'single-use',
  },
  reset: {
    type: 'reset',
    ttlSeconds: (c) => c.resetTokenTtlSeconds,
    key: 'derived',
    use: 'single-use',
  },
  mfa: { type: 'mfa', ttlSeconds: () => MFA_TOKEN_TTL_SECONDS, key: 'derived', use: 'single-use' },
};

/** Whether a value is the name of a purpose. */
export function isTokenType(value: unknown): value is TokenType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(TOKEN_PURPOSES, value);
}

const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
const LENGTH = { HS256: 32, HS384: 48, HS512: 64 } as const;
const derived = new WeakMap<ResolvedKeys, Map<TokenType, KeyObject>>();

function derive(keys: ResolvedKeys, type: TokenType): KeyObject {
  let cache = derived.get(keys);
  if (cache === undefined) {
    cache = new Map();
    derived.set(keys, cache);
  }
  let key = cache.get(type);
  if (key === undefined) {
    const alg = keys.algorithm as keyof typeof HASH;
    const bytes = hkdfSync(
      HASH[alg],
      keys.accessSigningKey.export(),
      Buffer.alloc(0),
      `routing-controllers-auth/token-purpose/${type}`,
      LENGTH[alg],
    );
    key = createSecretKey(Buffer.from(bytes));
    cache.set(type, key);
  }
  return key;
}

/** The key that signs tokens of `type`. */
export function signingKeyFor(type: TokenType, keys: ResolvedKeys): KeyObject {
  const { key } = TOKEN_PURPOSES[type];
  if (key === 'refresh') return keys.refreshSigningKey;
  if (key === 'derived' && keys.algorithm in HASH) return derive(keys, type);
  return keys.accessSigningKey;
}

/** HMAC algorithms: the key that verifies tokens of `type` (asymmetric ones use the `kid` map). */
export function verifyKeyFor(type: TokenType, keys: ResolvedKeys): KeyObject {
  const { key } = TOKEN_PURPOSES[type];
  if (key === 'refresh') return keys.refreshVerifyKey;
  if (key === 'derived' && keys.algorithm in HASH) return derive(keys, type);
  return keys.accessVerifyKey;
}
