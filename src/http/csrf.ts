import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { ResolvedAuthConfig } from '../config/resolved';
import { CsrfError } from '../errors/http-errors';
import { readCookie } from './cookie-header';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const COMPARE_KEY = randomBytes(32);

/** Whether a method is "safe" (RFC 9110 §9.2.1): no CSRF check for those. */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** A fresh CSRF token: 32 random bytes, base64url. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time string equality (HMAC both sides first, so lengths leak nothing either). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHmac('sha256', COMPARE_KEY).update(a).digest();
  const hb = createHmac('sha256', COMPARE_KEY).update(b).digest();
  return timingSafeEqual(ha, hb);
}

function ownOrigin(req: Request): string | undefined {
  const host = req.get('host');
  return host === undefined ? undefined : `${req.protocol}://${host}`;
}

/**
 * CSRF defence for a cookie-authenticated unsafe request: a cross-site `Sec-Fetch-Site`, a
 * foreign or `null` `Origin`, or a missing / mismatched double-submit token (the CSRF cookie
 * echoed in the CSRF header, compared in constant time) → 403 `csrf_failed`.
 */
export function assertCsrf(
  req: Request,
  config: Pick<ResolvedAuthConfig, 'cookies' | 'csrf'>,
): void {
  if (isSafeMethod(req.method)) return;
  if (req.get('sec-fetch-site')?.toLowerCase() === 'cross-site') {
    throw new CsrfError('Cross-site request refused.');
  }
  const origin = req.get('origin');
  if (origin !== undefined) {
    const allowed = origin === ownOrigin(req) || config.csrf.trustedOrigins.includes(origin);
    if (!allowed) throw new CsrfError('Cross-origin request refused.');
  }
  const cookie = readCookie(req.headers.cookie, config.cookies.csrfName);
  const header = req.get(config.csrf.headerName);
  if (cookie === undefined || cookie === '' || header === undefined || header === '') {
    throw new CsrfError('Missing CSRF token.');
  }
  if (!safeEqual(cookie, header)) throw new CsrfError('CSRF token mismatch.');
}
