import type { Request } from 'express';
import { createParamDecorator } from 'routing-controllers';
import type { AuthParamDecorator } from './types';
import { authenticate, authorize } from '../authenticate';
import { getRuntime } from '../runtime';

/**
 * Injects the validated access-token claims (`AccessClaims`). The token must be live in the
 * store and its user active; otherwise 401.
 *
 * @example
 * ```ts
 * @Get('/claims') claims(@AccessToken() claims: AccessClaims) { return claims; }
 * ```
 */
export function AccessToken(): AuthParamDecorator {
  return createParamDecorator({
    value: async (action) => {
      const runtime = getRuntime();
      const context = await authenticate(action.request as Request, runtime);
      await authorize(context, {}, runtime);
      return context?.claims;
    },
  });
}
