import { createHmac, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Request } from 'express';
import type { ResolvedAuthConfig } from '../config/resolved';
import { CsrfError } from '../errors/http-errors';
import { readCookie } from './cookie-header';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const COMPARE_KEY = randomBytes(32);

/** The part of the configuration the CSRF check reads. */
export type CsrfConfig = Pick<ResolvedAuthConfig, 'cookies' | 'csrf' | 'keys'>;

/** Whether a method is "safe" (RFC 9110 §9.2.1): no CSRF check for those. */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** Constant-time string equality (HMAC both sides first, so lengths leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHmac('sha256', COMPARE_KEY).update(a).digest();
  const hb = createHmac('sha256', COMPARE_KEY).update(b).digest();
  return timingSafeEqual(ha, hb);
}

const csrfKeys = new WeakMap<KeyObject, Buffer>();

/**
 * The CSRF key, derived (HKDF-SHA-256) from the access signing key, so every instance that signs
 * tokens derives the same one and nothing new needs configuring; domain-separated from signing.
 */
function csrfKey(config: Pick<ResolvedAuthConfig, 'keys'>): Buffer {
  const signing = config.keys.accessSigningKey;
  let key = csrfKeys.get(signing);
  if (key === undefined) {
    const material =
      signing.type === 'secret'
        ? signing.export()
        : signing.export({ format: 'der', type: 'pkcs8' });
    key = Buffer.from(hkdfSync('sha256', material, 'routing-controllers-auth', 'csrf-v1', 32));
    csrfKeys.set(signing, key);
  }
  return key;
}

/**
 * The CSRF token of a session: an HMAC of its id under a key derived from the signing key. A
 * token minted for one session is worthless for another, and nobody without the key can mint one.
 */
export function csrfTokenFor(sessionId: string, config: Pick<ResolvedAuthConfig, 'keys'>): string {
  return createHmac('sha256', csrfKey(config)).update(`csrf:${sessionId}`).digest('base64url');
}

function ownOrigin(req: Request): string | undefined {
  const host = req.get('host');
  return host === undefined ? undefined : `${req.protocol}://${host}`;
}

/**
 * Why a request comes from another site — a cross-site `Sec-Fetch-Site`, or an `Origin` that is
 * neither the request's own nor trusted — or `null` when it does not.
 */
export function foreignRequest(
  req: Request,
  config: Pick<ResolvedAuthConfig, 'csrf'>,
): string | null {
  if (req.get('sec-fetch-site')?.toLowerCase() === 'cross-site')
    return 'Cross-site request refused.';
  const origin = req.get('origin');
  if (origin !== undefined) {
    const allowed = origin === ownOrigin(req) || config.csrf.trustedOrigins.includes(origin);
    if (!allowed) return 'Cross-origin request refused.';
  }
  return null;
}

/**
 * CSRF defence for a cookie-authenticated unsafe request: a cross-site `Sec-Fetch-Site`, a
 * foreign or `null` `Origin`, or a missing / mismatched token → 403 `csrf_failed`. The header
 * must echo the CSRF cookie (double submit) and be the token of the session whose cookie
 * authenticates the request ({@link csrfTokenFor}); both compared in constant time.
 */
export function assertCsrf(req: Request, config: CsrfConfig, sessionId: string): void {
  if (isSafeMethod(req.method)) return;
  const foreign = foreignRequest(req, config);
  if (foreign !== null) throw new CsrfError(foreign);
  const cookie = readCookie(req.headers.cookie, config.cookies.csrfName);
  const header = req.get(config.csrf.headerName);
  if (cookie === undefined || cookie === '' || header === undefined || header === '') {
    throw new CsrfError('Missing CSRF token.');
  }
  const matchesCookie = safeEqual(cookie, header);
  const matchesSession = safeEqual(csrfTokenFor(sessionId, config), header);
  if (!matchesCookie || !matchesSession) throw new CsrfError('CSRF token mismatch.');
}
