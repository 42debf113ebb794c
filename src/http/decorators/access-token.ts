import type { Request } from 'express';
import { createParamDecorator } from 'routing-controllers';
import { requestIdentity } from '../authenticate';
import { runtimeOf } from '../binding';
import { recordAuthParam } from './metadata';
import type { AuthParamDecorator } from './types';

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
  const inject = createParamDecorator({
    value: async (action) => {
      const request = action.request as Request;
      const runtime = runtimeOf(request);
      const context = await requestIdentity(request, runtime);
      await runtime.flows.authorize(context, {});
      return context?.claims;
    },
  });
  return (object, method, index) => {
    recordAuthParam({
      kind: 'access-token',
      target: object,
      method,
      requirements: {},
      optional: false,
    });
    inject(object, method, index);
  };
}
