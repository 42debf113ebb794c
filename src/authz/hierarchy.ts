import { AuthConfigError } from '../errors/config-error';

/** Role → every role it includes, itself too. */
export type ExpandedRoles = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Expands a role hierarchy (`{ admin: ['moderator'], moderator: ['user'] }`) into, for each role,
 * every role it includes (itself too), following chains. A cycle (`a → b → a`) is a configuration
 * mistake: it would make every role of the cycle equal, which nobody means.
 *
 * @throws AuthConfigError `roleHierarchy` naming the cycle.
 */
export function expandHierarchy(
  hierarchy: Readonly<Record<string, readonly string[]>>,
): Map<string, Set<string>> {
  const expanded = new Map<string, Set<string>>();
  const visit = (role: string, path: readonly string[]): Set<string> => {
    const done = expanded.get(role);
    if (done !== undefined) return done;
    if (path.includes(role)) {
      throw new AuthConfigError(
        'roleHierarchy',
        `the hierarchy has a cycle (${[...path.slice(path.indexOf(role)), role].join(' → ')}); a role may not include itself.`,
      );
    }
    const included = new Set<string>([role]);
    const children = Object.hasOwn(hierarchy, role) ? (hierarchy[role] ?? []) : [];
    for (const child of children) {
      for (const implied of visit(child, [...path, role])) included.add(implied);
    }
    expanded.set(role, included);
    return included;
  };
  for (const role of Object.keys(hierarchy)) visit(role, []);
  return expanded;
}
