import type { Request } from 'express';
import { createParamDecorator } from 'routing-controllers';
import type { AuthParamDecorator } from './types';
import { MissingCredentialsError } from '../../errors/http-errors';
import type { RefreshClaims } from '../../tokens/claims';
import { assertCsrf } from '../csrf';
import { extractToken, type PresentedToken } from '../extract';
import { getRuntime, type AuthRuntime } from '../runtime';

const presented = new WeakMap<Request, PresentedToken | null>();

/**
 * The refresh token presented on a request (Bearer header, refresh cookie — CSRF-checked on
 * unsafe methods — or JSON body `refresh_token`), unverified. Throws 401 when there is none.
 * Use it to hand the raw token to `TokenService.refresh`.
 */
export function presentedRefreshToken(
  req: Request,
  runtime: AuthRuntime = getRuntime(),
): PresentedToken {
  let found = presented.get(req);
  if (found === undefined) {
    found = extractToken(req, 'refresh', runtime.config);
    if (found?.source === 'cookie') assertCsrf(req, runtime.config);
    presented.set(req, found);
  }
  if (found === null) throw new MissingCredentialsError();
  return found;
}

/**
 * Injects the validated refresh-token claims (`RefreshClaims`), checked against the store: a
 * replayed (already rotated) refresh token revokes its session and answers 401.
 *
 * @example
 * ```ts
 * @Post('/whoami-refresh') check(@RefreshToken() claims: RefreshClaims) { return claims.sid; }
 * ```
 */
export function RefreshToken(): AuthParamDecorator {
  return createParamDecorator({
    value: async (action): Promise<RefreshClaims> => {
      const runtime = getRuntime();
      const { token } = presentedRefreshToken(action.request as Request, runtime);
      return runtime.tokens.validateRefreshToken(token);
    },
  });
}
