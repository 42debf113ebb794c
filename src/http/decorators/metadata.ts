import type { AccessRequirements } from '../../authz/authorizer';

/** What one of the library's parameter decorators demands of a route. */
export interface AuthParamMetadata {
  /** Which decorator. */
  readonly kind: 'current-user' | 'access-token' | 'refresh-token';
  /** The controller class. */
  readonly target: object;
  /** The method name. */
  readonly method: string;
  /** Requirements (roles, permissions, verified) of `@CurrentUser`. */
  readonly requirements: AccessRequirements;
  /** `@CurrentUser({ optional: true })`: the route also serves anonymous callers. */
  readonly optional: boolean;
}

const records: AuthParamMetadata[] = [];

/** @internal Records a decorator's use; decorators only record, the request path acts later. */
export function recordAuthParam(entry: AuthParamMetadata): void {
  records.push(entry);
}

/**
 * Every use of `@CurrentUser`, `@AccessToken` and `@RefreshToken` seen so far, e.g. to document
 * which operations need which credentials (the OpenAPI enricher reads it).
 */
export function authParamMetadata(): readonly AuthParamMetadata[] {
  return records;
}
