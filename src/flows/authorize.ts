import type { AccessRequirements, Subject } from '../authz/authorizer';
import { failClosed } from '../errors/fail-closed';
import { MissingCredentialsError } from '../errors/http-errors';
import type { FlowDeps } from './deps';
import type { AuthContext } from './identify';
import { assertUsable } from './user-state';

function subjectOf<User>(deps: FlowDeps<User>, user: User): Subject {
  const { users } = deps;
  return {
    roles: () => failClosed(() => users.getRoles(user)),
    permissions: () => failClosed(() => users.getPermissions(user)),
    verified: () => failClosed(() => users.isVerified(user)),
  };
}

/**
 * Checks `requirements` for an identity: none → 401 `missing_credentials`; deleted or (by
 * default) inactive user → the rule of {@link assertUsable}; a missing role, permission or
 * verified state → 403 `insufficient_scope`. Roles and permissions are read from the bridge on
 * every call, so a demotion applies at once. Returns the user.
 */
export async function authorize<User>(
  deps: FlowDeps<User>,
  context: AuthContext<User> | null,
  requirements: AccessRequirements = {},
): Promise<User> {
  if (context === null) throw new MissingCredentialsError();
  const user = await assertUsable(
    deps,
    context.user,
    context.claims.sub,
    requirements.active ?? deps.config.requireActive,
  );
  await deps.authorizer.check(subjectOf(deps, user), requirements, deps.config.requireVerified);
  return user;
}
