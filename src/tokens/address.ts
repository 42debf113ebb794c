import { createHash } from 'node:crypto';
import type { TokenClaims } from './claims';

/**
 * @internal The `adr` claim of a token mailed to `address`: the SHA-256 (base64url) of the
 * address exactly as given, so the token names its address without carrying it.
 */
export function addressDigest(address: string): string {
  return createHash('sha256').update(address, 'utf8').digest('base64url');
}

/** @internal Whether a token was mailed to `address` (a token without `adr` was mailed nowhere). */
export function isBoundTo(claims: TokenClaims, address: string | null): boolean {
  return (
    address !== null && typeof claims.adr === 'string' && claims.adr === addressDigest(address)
  );
}
