import type { Request } from 'express';
import { createParamDecorator } from 'routing-controllers';
import { MissingCredentialsError } from '../../errors/http-errors';
import type { RefreshClaims } from '../../tokens/claims';
import { presentedRefresh } from '../authenticate';
import { runtimeOf } from '../binding';
import { recordAuthParam } from './metadata';
import type { AuthParamDecorator } from './types';

/**
 * Injects the validated refresh-token claims (`RefreshClaims`) — from the Bearer header, the
 * refresh cookie (CSRF-checked on unsafe methods) or the JSON body `refresh_token` — checked
 * against the store: a replayed (already rotated) refresh token revokes its session and answers
 * 401.
 *
 * @example
 * ```ts
 * @Post('/whoami-refresh') check(@RefreshToken() claims: RefreshClaims) { return claims.sid; }
 * ```
 */
export function RefreshToken(): AuthParamDecorator {
  const inject = createParamDecorator({
    value: async (action): Promise<RefreshClaims> => {
      const request = action.request as Request;
      const runtime = runtimeOf(request);
      const found = presentedRefresh(request, runtime);
      if (found === null) throw new MissingCredentialsError();
      await runtime.tokens.assertStored(found.claims);
      return found.claims;
    },
  });
  return (object, method, index) => {
    recordAuthParam({
      kind: 'refresh-token',
      target: object,
      method,
      requirements: {},
      optional: false,
    });
    inject(object, method, index);
  };
}
