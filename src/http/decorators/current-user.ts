import type { Request } from 'express';
import { createParamDecorator } from 'routing-controllers';
import type { AuthParamDecorator } from './types';
import { authenticate, authorize, type AccessRequirements } from '../authenticate';
import { getRuntime } from '../runtime';

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
 * verified state missing → 403. Roles: any one (hierarchy applied); permissions: all.
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
  return createParamDecorator({
    value: async (action) => {
      const runtime = getRuntime();
      const context = await authenticate(action.request as Request, runtime);
      if (context === null && options.optional === true) return undefined;
      return authorize(context, options, runtime);
    },
  });
}
