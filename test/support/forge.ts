import { createHmac, createSign, type KeyObject } from 'node:crypto';

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
