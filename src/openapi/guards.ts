import type { MetadataArgsStorage } from 'routing-controllers';
import type { AccessRequirements } from '../authz/authorizer';
import { requirementsOf } from '../http/checkers';
import type { AuthParamMetadata } from '../http/decorators/metadata';

/** @internal One action (route handler) as routing-controllers records it. */
export type ActionArgs = MetadataArgsStorage['actions'][number];

/** @internal A token an operation accepts. */
export type Credential = 'access' | 'refresh';

/**
 * @internal What the guards of one action demand, read from `@Authorized` (routing-controllers'
 * response handlers), this library's `@CurrentUser` / `@AccessToken` / `@RefreshToken`, and
 * routing-controllers' own `@CurrentUser` (answered by this library's `currentUserChecker`).
 */
export interface RouteGuard {
  /** Tokens that must all be presented (usually one). */
  readonly credentials: ReadonlySet<Credential>;
  /** Whether a caller without any token is served too (every guard is optional). */
  readonly anonymous: boolean;
  /** Role lists: one role of each list is needed. */
  readonly roleSets: readonly (readonly string[])[];
  /** Permissions, all needed. */
  readonly permissions: readonly string[];
  /** Whether a verified user is needed. */
  readonly verified: boolean;
}

interface Demand {
  credential: Credential;
  optional: boolean;
  requirements: AccessRequirements;
}

function authorizedDemand(storage: MetadataArgsStorage, action: ActionArgs): Demand[] {
  // As routing-controllers does: the controller's roles, then the first action-level list.
  const handlers = storage.responseHandlers.filter(
    (handler) => handler.type === 'authorized' && handler.target === action.target,
  );
  // A class-level @Authorized records no method (the type says string; the value is undefined).
  const onClass = handlers.find((handler) => (handler.method as string | undefined) === undefined);
  const onAction = handlers.find((handler) => handler.method === action.method);
  if (onClass === undefined && onAction === undefined) return [];
  const entries: unknown[] = [];
  for (const handler of [onClass, onAction]) {
    const value: unknown = handler?.value;
    if (Array.isArray(value)) entries.push(...(value as unknown[]));
    else if (value !== undefined) entries.push(value);
  }
  return [{ credential: 'access', optional: false, requirements: requirementsOf(entries) }];
}

function paramDemands(
  storage: MetadataArgsStorage,
  params: readonly AuthParamMetadata[],
  action: ActionArgs,
): Demand[] {
  const demands: Demand[] = [];
  for (const entry of params) {
    if (entry.target.constructor !== action.target || entry.method !== action.method) continue;
    demands.push({
      credential: entry.kind === 'refresh-token' ? 'refresh' : 'access',
      optional: entry.optional,
      requirements: entry.requirements,
    });
  }
  // routing-controllers' own @CurrentUser goes through this library's currentUserChecker.
  for (const param of storage.filterParamsWithTargetAndMethod(action.target, action.method)) {
    if (param.type === 'current-user') {
      demands.push({ credential: 'access', optional: !param.required, requirements: {} });
    }
  }
  return demands;
}

/**
 * @internal The guard of an action, or `null` when nothing of this library guards it. With
 * `requireVerified` on, every access-token guard needs a verified user, as at run time.
 */
export function guardOf(
  storage: MetadataArgsStorage,
  params: readonly AuthParamMetadata[],
  action: ActionArgs,
  requireVerified: boolean,
): RouteGuard | null {
  const demands = [...authorizedDemand(storage, action), ...paramDemands(storage, params, action)];
  if (demands.length === 0) return null;
  const roleSets: string[][] = [];
  const permissions = new Set<string>();
  let verified = false;
  for (const { credential, requirements } of demands) {
    const roles = requirements.roles ?? [];
    if (roles.length > 0 && !roleSets.some((set) => sameMembers(set, roles))) {
      roleSets.push([...roles]);
    }
    for (const name of requirements.permissions ?? []) permissions.add(name);
    if (credential === 'access' && (requirements.verified ?? requireVerified)) verified = true;
  }
  return {
    credentials: new Set(demands.map((demand) => demand.credential)),
    anonymous: demands.every((demand) => demand.optional),
    roleSets,
    permissions: [...permissions],
    verified,
  };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}
