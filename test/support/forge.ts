import { constants, createHmac, createSign, type KeyObject } from 'node:crypto';

const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Builds a JWT by hand, so tests can make every shape an attacker would send. */
export function forge(
  header: Record<string, unknown>,
  payload: unknown,
  sign: {
    hmac?: string | Buffer | KeyObject;
    hash?: 'sha256' | 'sha384' | 'sha512';
    raw?: string;
  } = {},
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  if (sign.raw !== undefined) return `${input}.${sign.raw}`;
  if (sign.hmac !== undefined) {
    return `${input}.${createHmac(sign.hash ?? 'sha256', sign.hmac)
      .update(input)
      .digest('base64url')}`;
  }
  return `${input}.`;
}

/** ES256 signature in JOSE (r||s) form. */
export function signEs256(
  header: Record<string, unknown>,
  payload: unknown,
  key: KeyObject,
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const sig = createSign('sha256').update(input).sign({ key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/** base64url of a string (as UTF-8) or a Buffer, as given: no JSON encoding. */
export function b64url(value: string | Buffer): string {
  return (typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('base64url');
}

/**
 * Builds a JWT from raw segment texts (not necessarily JSON), MACed over exactly those bytes:
 * for headers or payloads that are not JSON objects, carry duplicate keys, or are not UTF-8.
 */
export function forgeRaw(
  header: string | Buffer,
  payload: string | Buffer,
  sign: { hmac?: string | Buffer | KeyObject; hash?: 'sha256' | 'sha384' | 'sha512' } = {},
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  if (sign.hmac === undefined) return `${input}.`;
  return `${input}.${createHmac(sign.hash ?? 'sha256', sign.hmac)
    .update(input)
    .digest('base64url')}`;
}

/** RS256 (PKCS#1 v1.5) or PS256 (PSS, salt 32) signature with an RSA private key. */
export function signRsa(
  header: Record<string, unknown>,
  payload: unknown,
  key: KeyObject,
  scheme: 'RS256' | 'PS256' = 'RS256',
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const sig = createSign('sha256')
    .update(input)
    .sign(
      scheme === 'PS256'
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : { key },
    );
  return `${input}.${sig.toString('base64url')}`;
}

/** The header and claims of a token, decoded without any check (to re-sign them changed). */
export function claimsOf(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [h = '', p = ''] = token.split('.');
  const parse = (segment: string): Record<string, unknown> =>
    JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: parse(h), payload: parse(p) };
}
