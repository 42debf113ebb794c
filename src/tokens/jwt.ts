import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ResolvedAuthConfig } from '../config/resolved';
import { ExpiredTokenError, InvalidTokenError, WrongTokenTypeError } from '../errors/token-errors';
import type { ClaimsOf, TokenClaims, TokenType } from './claims';
import { isTokenType, signingKeyFor, verifyKeyFor } from './purposes';

/** Longest token string ever looked at; anything longer is refused before parsing. */
export const MAX_TOKEN_LENGTH = 8192;
const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/**
 * The only form of `jti` and `sid` this library issues (`crypto.randomUUID()`). Refusing every
 * other spelling keeps store lookups exact on every engine: a case- or trailing-space-insensitive
 * collation (MariaDB's utf8mb4_general_ci) cannot match a canonical UUID with anything else.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `value` is a `jti` / `sid` as this library issues them: a lower-case UUID. */
export function isCanonicalId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The part of the configuration {@link verifyToken} reads. */
export type VerifyConfig = Pick<
  ResolvedAuthConfig,
  'keys' | 'issuer' | 'audience' | 'leewaySeconds' | 'now'
>;

function parseSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A token's header and payload as read by {@link decodeToken}, unverified. */
export interface DecodedToken {
  /** The JOSE header. */
  header: Record<string, unknown>;
  /** The claims, unverified. */
  payload: Record<string, unknown>;
}

/**
 * Reads a token's header and payload WITHOUT verifying anything. For display and debugging
 * only: never decide anything on its result. Returns `null` for anything that is not a JWT.
 *
 * @example
 * ```ts
 * const peek = decodeToken(raw); // { header, payload } | null
 * ```
 */
export function decodeToken(token: string): DecodedToken | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !SHAPE.test(token))
    return null;
  const [h = '', p = ''] = token.split('.');
  const header = parseSegment(h);
  const payload = parseSegment(p);
  return isObject(header) && isObject(payload) ? { header, payload } : null;
}

/**
 * Signs claims with the configured algorithm and the key of the token's purpose
 * (`TOKEN_PURPOSES`). The caller sets
 * every registered claim (`iat`, `exp` included); nothing is added from the wall clock.
 *
 * @example
 * ```ts
 * const raw = encodeToken({ sub: '1', jti, sid, type: 'access', iat, exp, iss, aud }, config);
 * ```
 */
export function encodeToken(claims: TokenClaims, config: Pick<ResolvedAuthConfig, 'keys'>): string {
  const { keys } = config;
  if (!isTokenType(claims.type)) throw new TypeError(`unknown token type ${String(claims.type)}`);
  return jwt.sign(claims, signingKeyFor(claims.type, keys), {
    algorithm: keys.algorithm,
    ...(keys.keyId === undefined ? {} : { keyid: keys.keyId }),
  });
}

function verificationKey(
  header: Record<string, unknown>,
  type: TokenType,
  config: VerifyConfig,
): KeyObject {
  const { keys } = config;
  if (header.alg !== keys.algorithm) throw new InvalidTokenError();
  if ('crit' in header) throw new InvalidTokenError();
  if (keys.verificationKeys.size === 0) {
    return verifyKeyFor(type, keys);
  }
  const kid = header.kid;
  const key = typeof kid === 'string' ? keys.verificationKeys.get(kid) : undefined;
  if (key === undefined) throw new InvalidTokenError();
  return key;
}

function wrap(error: unknown): Error {
  if (error instanceof jwt.TokenExpiredError) return new ExpiredTokenError({ cause: error });
  return new InvalidTokenError(undefined, { cause: error });
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= 255;
}

/**
 * Verifies a token without the store: shape, header (`alg` exactly the configured one, no
 * `crit`, `kid` only from the configured key map; `jku`/`x5u`/`jwk`/`x5c` are never used),
 * signature, `exp` (required), `nbf`, `iss`, `aud` with the configured leeway, `iat` not in the
 * future beyond the leeway, `jti` and `sid` lower-case UUIDs, then the token `type` (the
 * purpose's own key was already required by the signature check). Throws {@link InvalidTokenError}, {@link ExpiredTokenError} or
 * {@link WrongTokenTypeError}. Stateless: a revoked token still passes. `TokenService` adds the
 * store check.
 *
 * @example
 * ```ts
 * const claims = verifyToken(raw, 'access', resolveAuthConfig());
 * ```
 */
export function verifyToken<T extends TokenType>(
  token: string,
  type: T,
  config: VerifyConfig,
): ClaimsOf<T> {
  // Only the header is read before the signature is checked (to pick the key); the payload is
  // parsed once, by jsonwebtoken, and then checked here.
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !SHAPE.test(token)) {
    throw new InvalidTokenError();
  }
  const [h = '', p = ''] = token.split('.');
  const header = parseSegment(h);
  if (!isObject(header)) throw new InvalidTokenError();
  // jsonwebtoken JSON-parses a string payload a second time; only a payload that is an object on
  // the wire is acceptable, and its first byte says so without decoding it all.
  if (Buffer.from(p.slice(0, 4), 'base64url')[0] !== 0x7b) throw new InvalidTokenError();
  const key = verificationKey(header, type, config);
  let payload: unknown;
  try {
    payload = jwt.verify(token, key, {
      algorithms: [config.keys.algorithm],
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: config.leewaySeconds,
      clockTimestamp: Math.floor(config.now() / 1000),
    });
  } catch (error) {
    throw wrap(error);
  }
  if (!isObject(payload)) throw new InvalidTokenError();
  const { sub, jti, sid, iat, exp, gen } = payload;
  if (typeof exp !== 'number' || typeof iat !== 'number') throw new InvalidTokenError();
  // jsonwebtoken does not look at iat: one from the future is refused (beyond the leeway).
  if (iat > config.now() / 1000 + config.leewaySeconds) throw new InvalidTokenError();
  if (!nonEmptyString(sub) || typeof jti !== 'string' || typeof sid !== 'string') {
    throw new InvalidTokenError();
  }
  if (!UUID.test(jti) || !UUID.test(sid)) throw new InvalidTokenError();
  if (gen !== undefined && !(Number.isSafeInteger(gen) && (gen as number) >= 0)) {
    throw new InvalidTokenError();
  }
  if (!isTokenType(payload.type)) throw new InvalidTokenError();
  if (payload.type !== type) throw new WrongTokenTypeError();
  return payload as ClaimsOf<T>;
}
