import { randomUUID } from 'node:crypto';
import type { ResolvedAuthConfig } from '../config/resolved';
import { AuthConfigError } from '../errors/config-error';
import type { ClaimValue } from '../users/base-user-authentication';
import { addressDigest } from './address';
import type { TokenClaims, TokenType } from './claims';
import type { NewToken } from './store/port';

/** Extra claims as handed to the service: only names in `extraClaims`. */
export type ExtraClaims = Readonly<Record<string, ClaimValue>>;

/**
 * Checks extra claims against the `extraClaims` allow-list. A name that is not listed is a
 * programming or configuration mistake, never silently dropped: it throws an
 * {@link AuthConfigError} naming `extraClaims` and the claim. `undefined` values are left out.
 */
export function allowedClaims(
  claims: Readonly<Record<string, ClaimValue | undefined>> | undefined,
  config: Pick<ResolvedAuthConfig, 'extraClaims'>,
): Record<string, ClaimValue> {
  const result: Record<string, ClaimValue> = {};
  for (const [name, value] of Object.entries(claims ?? {})) {
    if (value === undefined) continue;
    if (!config.extraClaims.includes(name)) {
      throw new AuthConfigError(
        'extraClaims',
        `the claim "${name}" is not listed in extraClaims, so it cannot go into a token: add "${name}" to the extraClaims option (registered claims can never be listed) or stop passing it.`,
      );
    }
    result[name] = value;
  }
  return result;
}

/** What one token is made of. */
export interface TokenSpec {
  type: TokenType;
  subject: string;
  sessionId: string;
  iat: number;
  exp: number;
  /** Refresh tokens: the session generation. */
  generation?: number;
  /** Mailed tokens: the address they go to (its digest becomes the `adr` claim). */
  address?: string;
  /** Default: a fresh UUID. */
  jti?: string;
  extra: ExtraClaims;
}

/**
 * The claims of one token, always in the same order (registered claims, `gen`, then extra
 * claims in `extraClaims` order), so that the same spec signs to the same HMAC token.
 */
export function buildClaims(
  spec: TokenSpec,
  config: Pick<ResolvedAuthConfig, 'issuer' | 'audience' | 'extraClaims'>,
): TokenClaims {
  const claims: TokenClaims = {
    sub: spec.subject,
    jti: spec.jti ?? randomUUID(),
    type: spec.type,
    sid: spec.sessionId,
    iat: spec.iat,
    exp: spec.exp,
    iss: config.issuer,
    aud: config.audience,
  };
  if (spec.generation !== undefined) claims.gen = spec.generation;
  if (spec.address !== undefined) claims.adr = addressDigest(spec.address);
  // Registered claims are set above and never overwritten: extraClaims cannot name them (the
  // config refuses it), and a name already set here is skipped all the same.
  for (const name of config.extraClaims) {
    const value = spec.extra[name];
    if (value !== undefined && !(name in claims)) claims[name] = value;
  }
  return claims;
}

/** The store row of a token. */
export function rowOf(claims: TokenClaims, generation: number): NewToken {
  return {
    jti: claims.jti,
    sessionId: claims.sid,
    userId: claims.sub,
    type: claims.type,
    generation,
    createdAt: claims.iat * 1000,
    expiresAt: claims.exp * 1000,
  };
}
