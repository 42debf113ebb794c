import { InsufficientScopeError } from '../errors/http-errors';
import { expandHierarchy, type ExpandedRoles } from './hierarchy';
import { grants } from './requirements';

/** What a route demands of the caller. Unset fields fall back to the configuration. */
export interface AccessRequirements {
  /** Any one of these roles (after hierarchy expansion). */
  roles?: readonly string[];
  /** Every one of these permissions (held directly or granted through a role). */
  permissions?: readonly string[];
  /** Require an active user. Default: the `requireActive` option (true). */
  active?: boolean;
  /** Require a verified user. Default: the `requireVerified` option (false). */
  verified?: boolean;
}

/** What the authorizer needs to know of a user; each piece is read only when a rule needs it. */
export interface Subject {
  /** The user's own roles. */
  roles(): Promise<readonly string[]>;
  /** The user's directly granted permissions. */
  permissions(): Promise<readonly string[]>;
  /** Whether the user is verified. */
  verified(): Promise<boolean>;
}

/**
 * Roles, their hierarchy and role → permission grants (FastAuth's RBAC), apart from HTTP:
 * a role includes the roles below it, and holds its own grants plus theirs; a user holds the
 * grants of every role they have plus their direct permissions. Wildcards: `users:*`, `*`.
 */
export class Authorizer {
  private readonly roles: ExpandedRoles;

  /**
   * @param hierarchy - role → the roles it includes.
   * @param rolePermissions - role → the permissions it grants.
   */
  constructor(
    hierarchy: Readonly<Record<string, readonly string[]>>,
    private readonly rolePermissions: Readonly<Record<string, readonly string[]>>,
  ) {
    this.roles = expandHierarchy(hierarchy);
  }

  /** Roles that appear in the hierarchy or in the grants, sorted. */
  knownRoles(): string[] {
    const named = new Set([...this.roles.keys(), ...Object.keys(this.rolePermissions)]);
    for (const included of this.roles.values()) for (const role of included) named.add(role);
    return [...named].sort();
  }

  /** Every role the given roles amount to (themselves and all they include). */
  effectiveRoles(roles: readonly string[]): Set<string> {
    const held = new Set<string>();
    for (const role of roles) {
      for (const implied of this.roles.get(role) ?? [role]) held.add(implied);
    }
    return held;
  }

  /** Every permission grant of the given roles (through the hierarchy) plus the direct ones. */
  effectivePermissions(roles: readonly string[], direct: readonly string[]): string[] {
    const granted = new Set(direct);
    for (const role of this.effectiveRoles(roles)) {
      const own = Object.hasOwn(this.rolePermissions, role) ? this.rolePermissions[role] : [];
      for (const grant of own ?? []) granted.add(grant);
    }
    return [...granted];
  }

  /**
   * Checks roles (any one), permissions (all) and the verified state; throws 403
   * `insufficient_scope` for the first that fails. The active state is not checked here: it is a
   * rule about tokens (see the flows), not about scope.
   */
  async check(
    subject: Subject,
    requirements: AccessRequirements,
    requireVerified: boolean,
  ): Promise<void> {
    if ((requirements.verified ?? requireVerified) && !(await subject.verified())) {
      throw new InsufficientScopeError('A verified account is required.');
    }
    const roles = requirements.roles ?? [];
    const permissions = requirements.permissions ?? [];
    if (roles.length === 0 && permissions.length === 0) return;
    const own = await subject.roles();
    if (roles.length > 0) {
      const held = this.effectiveRoles(own);
      if (!roles.some((role) => held.has(role))) throw new InsufficientScopeError();
    }
    if (permissions.length > 0) {
      const granted = this.effectivePermissions(own, await subject.permissions());
      if (!permissions.every((p) => grants(granted, p))) throw new InsufficientScopeError();
    }
  }
}
