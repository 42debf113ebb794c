import type { Request } from 'express';
import type { Action } from 'routing-controllers';
import {
  authenticate,
  authorize,
  unknownRequirement,
  type AccessRequirements,
} from './authenticate';
import { PermissionRequirement, VerifiedRequirement } from './requirements';
import { getRuntime } from './runtime';

function requirementsOf(entries: readonly unknown[]): AccessRequirements {
  const roles: string[] = [];
  const permissions: string[] = [];
  let verified: boolean | undefined;
  for (const entry of entries) {
    if (typeof entry === 'string') roles.push(entry);
    else if (entry instanceof PermissionRequirement) permissions.push(entry.permission);
    else if (entry instanceof VerifiedRequirement) verified = true;
    else unknownRequirement(entry);
  }
  return { roles, permissions, ...(verified === undefined ? {} : { verified }) };
}

/**
 * The `authorizationChecker` for `useExpressServer`. `@Authorized()` needs a valid token of an
 * active user; string entries are roles (any one, hierarchy applied); `permission('x')` entries
 * must all be held; `verified()` requires a verified user. Throws the coded 401 / 403 itself, so
 * a role-protected route with no token answers 401, not 403.
 *
 * @example
 * ```ts
 * useExpressServer(app, { authorizationChecker, currentUserChecker, controllers: [...] });
 * ```
 */
export async function authorizationChecker(action: Action, roles: unknown[]): Promise<boolean> {
  const runtime = getRuntime();
  const request = action.request as Request;
  const context = await authenticate(request, runtime);
  await authorize(context, requirementsOf(roles), runtime);
  return true;
}

/**
 * The `currentUserChecker` for `useExpressServer`, behind routing-controllers' own
 * `@CurrentUser()`: the active user of a valid token, `undefined` when no token is presented,
 * and a coded 401 for a bad one. Prefer this library's `CurrentUser` decorator, which also
 * takes roles and permissions.
 */
export async function currentUserChecker(action: Action): Promise<unknown> {
  const runtime = getRuntime();
  const context = await authenticate(action.request as Request, runtime);
  if (context === null) return undefined;
  return authorize(context, {}, runtime);
}
