/**
 * A requirement for `@Authorized([...])` beyond roles: a permission, or a verified user.
 * Plain strings in `@Authorized` are roles; these descriptor objects say everything else.
 */
export type AuthRequirement = PermissionRequirement | VerifiedRequirement;

/** Requires a permission (all listed permissions must be held). Built by {@link permission}. */
export class PermissionRequirement {
  /** Discriminator. */
  readonly kind = 'permission';
  /** @param permission - e.g. `"users:delete"`. */
  constructor(readonly permission: string) {}
}

/** Requires a verified user. Built by {@link verified}. */
export class VerifiedRequirement {
  /** Discriminator. */
  readonly kind = 'verified';
}

/**
 * A permission requirement for routing-controllers' `@Authorized`. Every permission listed must
 * be held; a grant `"users:*"` covers `"users:delete"`, and `"*"` covers everything.
 *
 * @example
 * ```ts
 * @Authorized([permission('users:delete')])
 * @Delete('/users/:id')
 * remove() {}
 * ```
 */
export function permission(name: string): PermissionRequirement {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError('permission() needs a non-empty permission name');
  }
  return new PermissionRequirement(name);
}

/**
 * A verified-user requirement for `@Authorized`.
 *
 * @example
 * ```ts
 * @Authorized([verified()])
 * ```
 */
export function verified(): VerifiedRequirement {
  return new VerifiedRequirement();
}

/** Whether a set of granted permissions covers `needed` (exact, `prefix:*`, or `*`). */
export function grants(granted: readonly string[], needed: string): boolean {
  for (const grant of granted) {
    if (grant === needed || grant === '*') return true;
    if (grant.endsWith(':*') && needed.startsWith(grant.slice(0, -1))) return true;
  }
  return false;
}
