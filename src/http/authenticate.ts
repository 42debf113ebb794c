import type { Request } from 'express';
import { loadIdentity, type AuthContext } from '../flows/identify';
import type { AuthRuntime } from '../setup/runtime';
import type { RefreshClaims } from '../tokens/claims';
import { assertCsrf } from './csrf';
import { extractToken, type PresentedToken } from './extract';

// Per request and per setup: an app mounted inside another has its own setup and its own answer.
const contexts = new WeakMap<Request, Map<AuthRuntime, Promise<AuthContext | null>>>();

async function load(req: Request, runtime: AuthRuntime): Promise<AuthContext | null> {
  const presented = extractToken(req, 'access', runtime.config);
  if (presented === null) return null;
  // Stateless first: the CSRF token is bound to the session the cookie's token names.
  const claims = runtime.tokens.verify(presented.token, 'access');
  if (presented.source === 'cookie') assertCsrf(req, runtime.config, claims.sid);
  return { claims, user: await loadIdentity(runtime, claims) };
}

/**
 * @internal The request's identity: the access token (from where the configuration allows)
 * verified once, CSRF-checked when it came in a cookie, checked against the store once, and its
 * user loaded once — whichever decorators and checkers ask. `null` when the request carries no
 * token; throws for a bad one.
 */
export function requestIdentity(req: Request, runtime: AuthRuntime): Promise<AuthContext | null> {
  let byRuntime = contexts.get(req);
  if (byRuntime === undefined) {
    byRuntime = new Map();
    contexts.set(req, byRuntime);
  }
  let pending = byRuntime.get(runtime);
  if (pending === undefined) {
    pending = load(req, runtime);
    byRuntime.set(runtime, pending);
  }
  return pending;
}

/** A refresh token found on a request, verified statelessly. */
type Presented = { presented: PresentedToken; claims: RefreshClaims } | null;
const refreshTokens = new WeakMap<Request, Map<AuthRuntime, Presented>>();

/**
 * @internal The refresh token presented on a request (Bearer header, refresh cookie, or JSON body
 * `refresh_token`), verified statelessly and — when it came in a cookie on an unsafe method —
 * CSRF-checked against its session. `null` when there is none.
 */
export function presentedRefresh(req: Request, runtime: AuthRuntime): Presented {
  let byRuntime = refreshTokens.get(req);
  if (byRuntime === undefined) {
    byRuntime = new Map();
    refreshTokens.set(req, byRuntime);
  }
  let found = byRuntime.get(runtime);
  if (found === undefined) {
    const presented = extractToken(req, 'refresh', runtime.config);
    if (presented === null) {
      found = null;
    } else {
      const claims = runtime.tokens.verify(presented.token, 'refresh');
      if (presented.source === 'cookie') assertCsrf(req, runtime.config, claims.sid);
      found = { presented, claims };
    }
    byRuntime.set(runtime, found);
  }
  return found;
}
