import type { Request } from 'express';
import type { Action } from 'routing-controllers';
import type { AccessRequirements } from '../authz/authorizer';
import { PermissionRequirement, VerifiedRequirement } from '../authz/requirements';
import { AuthConfigError } from '../errors/config-error';
import type { AuthRuntime } from '../setup/runtime';
import { requestIdentity } from './authenticate';
import { bindRuntime } from './binding';

/** Throws a configuration error for a value that is neither a role nor a requirement. */
function unknownRequirement(value: unknown): never {
  throw new AuthConfigError(
    'Authorized',
    `unsupported @Authorized entry ${JSON.stringify(value)}: use role strings, permission('...') or verified().`,
  );
}

/** @internal Reads `@Authorized([...])` entries: strings are roles, descriptors say the rest. */
export function requirementsOf(entries: readonly unknown[]): AccessRequirements {
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

/** routing-controllers' `authorizationChecker` signature. */
export type AuthorizationChecker = (action: Action, roles: unknown[]) => Promise<boolean>;
/** routing-controllers' `currentUserChecker` signature. */
export type CurrentUserChecker = (action: Action) => Promise<unknown>;

/**
 * @internal The two checkers of one setup, closed over its runtime. The `authorizationChecker`
 * behind `@Authorized()` needs a valid token of an active user; string entries are roles (any one,
 * hierarchy applied); `permission('x')` entries must all be held; `verified()` requires a verified
 * user. It throws the coded 401 / 403 itself, so a role-protected route with no token answers 401,
 * not 403. The `currentUserChecker` (behind routing-controllers' own `@CurrentUser()`) gives the
 * active user of a valid token, `undefined` with no token, and a coded 401 for a bad one.
 */
export function createCheckers(runtime: AuthRuntime): {
  authorizationChecker: AuthorizationChecker;
  currentUserChecker: CurrentUserChecker;
} {
  return {
    async authorizationChecker(action, roles) {
      const request = action.request as Request;
      bindRuntime(request, runtime);
      const context = await requestIdentity(request, runtime);
      await runtime.flows.authorize(context, requirementsOf(roles));
      return true;
    },
    async currentUserChecker(action) {
      const request = action.request as Request;
      bindRuntime(request, runtime);
      const context = await requestIdentity(request, runtime);
      if (context === null) return undefined;
      return runtime.flows.authorize(context, {});
    },
  };
}
