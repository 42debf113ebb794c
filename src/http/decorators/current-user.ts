import type { Request } from 'express';
import { createParamDecorator } from 'routing-controllers';
import type { AccessRequirements } from '../../authz/authorizer';
import { requestIdentity } from '../authenticate';
import { runtimeOf } from '../binding';
import { recordAuthParam } from './metadata';
import type { AuthParamDecorator } from './types';

/** Options of {@link CurrentUser}. */
export interface CurrentUserOptions extends AccessRequirements {
  /**
   * Inject `undefined` instead of answering 401 when the request carries no token.
   * A bad token is still refused. Default `false`.
   */
  optional?: boolean;
}

/**
 * Injects the authenticated user. Without a valid token → 401; with roles / permissions /
 * verified state missing → 403. Roles: any one (hierarchy applied); permissions: all (held
 * directly or granted through a role by `rolePermissions`).
 *
 * This is not routing-controllers' `CurrentUser`: import this one from `routing-controllers-auth`.
 *
 * @param requirements - roles as an array, or an options object.
 * @example
 * ```ts
 * @Get('/me') me(@CurrentUser() user: User) { return user; }
 * @Get('/admin') admin(@CurrentUser(['admin']) user: User) {}
 * @Get('/reports') reports(@CurrentUser({ permissions: ['reports:read'], verified: true }) user: User) {}
 * ```
 */
export function CurrentUser(
  requirements: readonly string[] | CurrentUserOptions = {},
): AuthParamDecorator {
  const options: CurrentUserOptions = Array.isArray(requirements)
    ? { roles: requirements as readonly string[] }
    : (requirements as CurrentUserOptions);
  const inject = createParamDecorator({
    value: async (action) => {
      const request = action.request as Request;
      const runtime = runtimeOf(request);
      const context = await requestIdentity(request, runtime);
      if (context === null && options.optional === true) return undefined;
      return runtime.flows.authorize(context, options);
    },
  });
  return (object, method, index) => {
    const { optional = false, ...rest } = options;
    recordAuthParam({ kind: 'current-user', target: object, method, requirements: rest, optional });
    inject(object, method, index);
  };
}
