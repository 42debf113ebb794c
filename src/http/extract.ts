import type { Request } from 'express';
import type { ResolvedAuthConfig } from '../config/resolved';
import { InvalidRequestError } from '../errors/http-errors';
import { InvalidTokenError } from '../errors/token-errors';
import { MAX_TOKEN_LENGTH } from '../tokens/jwt';
import type { TokenType } from '../tokens/claims';
import { readCookie } from './cookie-header';

/** Where a presented token came from. `body` only for refresh tokens (`{ "refresh_token": ... }`). */
export type TokenSource = 'header' | 'cookie' | 'body';

/** A token as presented on a request, before any verification. */
export interface PresentedToken {
  /** The raw token string. */
  token: string;
  /** Where it came from: cookie-borne tokens need a CSRF check on unsafe methods. */
  source: TokenSource;
}

// RFC 6750 §2.1: b64token.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
// RFC 9110 §11.1: an auth-scheme is a token.
const SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Node keeps only the first of repeated `Authorization` headers; a proxy may use another one. */
function authorizationHeader(req: Request): string | undefined {
  const raw = (req.rawHeaders as readonly string[] | undefined) ?? [];
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.toLowerCase() === 'authorization') count += 1;
  }
  if (count > 1) throw new InvalidRequestError('The Authorization header is sent more than once.');
  return req.headers.authorization;
}

/**
 * The bearer token of the `Authorization` header. Another scheme (Basic, Digest…) counts as no
 * credentials; `Bearer` is matched case-insensitively; an empty or repeated header, a scheme that
 * is not an RFC 9110 token (`Bearer\t…`, `Bearer,Bearer`), `Bearer` with no token, or extra parts
 * are a malformed request (400).
 */
function fromHeader(req: Request): string | undefined {
  const header = authorizationHeader(req);
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  if (trimmed === '') throw new InvalidRequestError('The Authorization header is empty.');
  const [scheme = '', ...rest] = trimmed.split(/ +/);
  if (!SCHEME.test(scheme)) throw new InvalidRequestError('The Authorization header is malformed.');
  if (scheme.toLowerCase() !== 'bearer') return undefined;
  const token = rest[0];
  if (rest.length !== 1 || token === undefined || !TOKEN68.test(token)) {
    throw new InvalidRequestError('The Authorization header must be "Bearer <token>".');
  }
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError();
  return token;
}

function fromCookie(req: Request, name: string): string | undefined {
  const raw = readCookie(req.headers.cookie, name);
  if (raw === undefined) return undefined;
  if (raw === '' || raw.length > MAX_TOKEN_LENGTH * 3) throw new InvalidTokenError();
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw new InvalidTokenError();
  }
  // cookie-parser would turn "j:{...}" into an object: such a value is never a token.
  if (value.startsWith('j:') || value.startsWith('s:') || !TOKEN68.test(value)) {
    throw new InvalidTokenError();
  }
  return value;
}

function fromBody(req: Request): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, 'refresh_token')) {
    return undefined;
  }
  const value = (body as Record<string, unknown>).refresh_token;
  if (typeof value !== 'string' || value === '') {
    throw new InvalidRequestError('refresh_token must be a non-empty string.');
  }
  if (value.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError();
  return value;
}

/**
 * Finds the token of `type` on a request, from the places the configuration allows: the
 * `Authorization: Bearer` header, the token's cookie, and, for refresh tokens, the JSON body
 * field `refresh_token`. Never the query string. More than one at once → 400 `invalid_request`.
 * Returns `null` when there is none.
 */
export function extractToken(
  req: Request,
  type: TokenType,
  config: Pick<ResolvedAuthConfig, 'tokenLocation' | 'cookies'>,
): PresentedToken | null {
  const found: PresentedToken[] = [];
  if (config.tokenLocation.includes('header')) {
    const token = fromHeader(req);
    if (token !== undefined) found.push({ token, source: 'header' });
  }
  if (config.tokenLocation.includes('cookie')) {
    const name =
      type === 'access' ? config.cookies.accessTokenName : config.cookies.refreshTokenName;
    const token = fromCookie(req, name);
    if (token !== undefined) found.push({ token, source: 'cookie' });
  }
  if (type === 'refresh') {
    const token = fromBody(req);
    if (token !== undefined) found.push({ token, source: 'body' });
  }
  if (found.length > 1) {
    throw new InvalidRequestError('Present the token in exactly one place.');
  }
  return found[0] ?? null;
}
