import type { Request } from 'express';
import { AuthConfigError } from '../errors/config-error';
import {
  InactiveUserError,
  InsufficientScopeError,
  MissingCredentialsError,
} from '../errors/http-errors';
import type { AccessClaims } from '../tokens/claims';
import { assertCsrf } from './csrf';
import { extractToken } from './extract';
import type { AuthRuntime } from './runtime';
import { grants } from './requirements';
import { userCall } from './user-calls';

/** The verified identity of one request, computed once and cached on it. */
export interface AuthContext<User = unknown> {
  /** Claims of the validated access token. */
  readonly claims: AccessClaims;
  /** The token's user, or `null` when the user no longer exists. */
  readonly user: User | null;
}

/** What a route demands of the caller. Unset fields fall back to the configuration. */
export interface AccessRequirements {
  /** Any one of these roles (after hierarchy expansion). */
  roles?: readonly string[];
  /** Every one of these permissions. */
  permissions?: readonly string[];
  /** Require an active user. Default: the `requireActive` option (true). */
  active?: boolean;
  /** Require a verified user. Default: the `requireVerified` option (false). */
  verified?: boolean;
}

const cache = new WeakMap<Request, Promise<AuthContext | null>>();

async function load(req: Request, runtime: AuthRuntime): Promise<AuthContext | null> {
  const presented = extractToken(req, 'access', runtime.config);
  if (presented === null) return null;
  if (presented.source === 'cookie') assertCsrf(req, runtime.config);
  const claims = runtime.tokens.verify(presented.token, 'access');
  // The store check and the user lookup are independent: run them side by side.
  const [, user] = await Promise.all([
    runtime.tokens.assertStored(claims),
    userCall(() => runtime.users.getUserById(claims.sub)),
  ]);
  return { claims, user: user ?? null };
}

/**
 * The request's identity: the access token (from where the configuration allows) verified once,
 * checked against the store once, and its user loaded once — whichever decorators and checkers
 * ask. `null` when the request carries no token; throws for a bad one.
 */
export function authenticate(req: Request, runtime: AuthRuntime): Promise<AuthContext | null> {
  let pending = cache.get(req);
  if (pending === undefined) {
    pending = load(req, runtime);
    cache.set(req, pending);
  }
  return pending;
}

/**
 * Checks `requirements` for an authenticated context: no token → 401 (`missing_credentials`),
 * deleted or (by default) inactive user → 401 `user_inactive` and all the user's sessions revoked, missing role / permission /
 * verified state → 403 `insufficient_scope`. Returns the user.
 */
export async function authorize(
  context: AuthContext | null,
  requirements: AccessRequirements,
  runtime: AuthRuntime,
): Promise<unknown> {
  if (context === null) throw new MissingCredentialsError();
  const { user, claims } = context;
  const { users, config, tokens } = runtime;
  const mustBeActive = requirements.active ?? config.requireActive;
  if (user === null || (mustBeActive && !(await userCall(() => users.isActive(user))))) {
    // Deleted or deactivated: every session of the user dies, so a later reactivation does not
    // bring old tokens back to life.
    await tokens.revokeAllForUser(claims.sub);
    throw new InactiveUserError();
  }
  if (
    (requirements.verified ?? config.requireVerified) &&
    !(await userCall(() => users.isVerified(user)))
  ) {
    throw new InsufficientScopeError('A verified account is required.');
  }
  const roles = requirements.roles ?? [];
  if (roles.length > 0) {
    const held = new Set<string>();
    for (const role of await userCall(() => users.getRoles(user))) {
      for (const implied of runtime.roles.get(role) ?? [role]) held.add(implied);
    }
    if (!roles.some((role) => held.has(role))) throw new InsufficientScopeError();
  }
  const permissions = requirements.permissions ?? [];
  if (permissions.length > 0) {
    const granted = await userCall(() => users.getPermissions(user));
    if (!permissions.every((p) => grants(granted, p))) throw new InsufficientScopeError();
  }
  return user;
}

/** Throws a configuration error for a value that is neither a role nor a requirement. */
export function unknownRequirement(value: unknown): never {
  throw new AuthConfigError(
    'Authorized',
    `unsupported @Authorized entry ${JSON.stringify(value)}: use role strings, permission('...') or verified().`,
  );
}
