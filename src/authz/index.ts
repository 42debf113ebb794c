export { Authorizer } from './authorizer';
export type { AccessRequirements, Subject } from './authorizer';
export { expandHierarchy } from './hierarchy';
export {
  grants,
  permission,
  PermissionRequirement,
  verified,
  VerifiedRequirement,
} from './requirements';
export type { AuthRequirement } from './requirements';
