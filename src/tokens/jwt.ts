import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ResolvedAuthConfig } from '../config/resolved';
import { ExpiredTokenError, InvalidTokenError, WrongTokenTypeError } from '../errors/token-errors';
import type { ClaimsOf, TokenClaims, TokenType } from './claims';

/** Longest token string ever looked at; anything longer is refused before parsing. */
export const MAX_TOKEN_LENGTH = 8192;
const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

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
 * Signs claims with the configured algorithm and the key of the token's type. The caller sets
 * every registered claim (`iat`, `exp` included); nothing is added from the wall clock.
 *
 * @example
 * ```ts
 * const raw = encodeToken({ sub: '1', jti, sid, type: 'access', iat, exp, iss, aud }, config);
 * ```
 */
export function encodeToken(claims: TokenClaims, config: Pick<ResolvedAuthConfig, 'keys'>): string {
  const { keys } = config;
  const key = claims.type === 'refresh' ? keys.refreshSigningKey : keys.accessSigningKey;
  return jwt.sign(claims, key, {
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
    return type === 'refresh' ? keys.refreshVerifyKey : keys.accessVerifyKey;
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
 * signature, `exp` (required), `nbf`, `iss`, `aud` with the configured leeway, then the claims'
 * types and the token `type`. Throws {@link InvalidTokenError}, {@link ExpiredTokenError} or
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
  const { sub, jti, sid, iat, exp } = payload;
  if (typeof exp !== 'number' || typeof iat !== 'number') throw new InvalidTokenError();
  if (!nonEmptyString(sub) || !nonEmptyString(jti) || !nonEmptyString(sid)) {
    throw new InvalidTokenError();
  }
  if (payload.type !== 'access' && payload.type !== 'refresh') throw new InvalidTokenError();
  if (payload.type !== type) throw new WrongTokenTypeError();
  return payload as ClaimsOf<T>;
}
