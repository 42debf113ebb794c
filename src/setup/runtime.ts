import { Authorizer } from '../authz/authorizer';
import type { ResolvedAuthConfig } from '../config/resolved';
import { AuthFlows } from '../flows/auth-flows';
import type { PasswordHasher } from '../passwords/hasher';
import { LoginThrottle } from '../throttle/login-throttle';
import type { TokenService } from '../tokens/token-service';
import type { BaseUserAuthentication } from '../users/base-user-authentication';

/**
 * @internal Everything one `setupAuth` wired: its configuration, token engine, user bridge,
 * hasher, authorizer, throttle and flows. Each setup has its own; the request path finds it from
 * the request (bound by the setup's middleware) or from the checker that closes over it — never
 * from a global container.
 */
export interface AuthRuntime<User = unknown> {
  /** The resolved configuration. */
  readonly config: ResolvedAuthConfig;
  /** The token engine. */
  readonly tokens: TokenService;
  /** The user bridge. */
  readonly users: BaseUserAuthentication<User>;
  /** The configured password hasher (cost, concurrency). */
  readonly passwords: PasswordHasher;
  /** Roles, hierarchy and permission grants. */
  readonly authorizer: Authorizer;
  /** Login throttling, or `null` when turned off. */
  readonly throttle: LoginThrottle | null;
  /** Login, refresh, logout, sessions. */
  readonly flows: AuthFlows<User>;
}

/** @internal Builds a runtime from its parts. */
export function createRuntime<User>(parts: {
  config: ResolvedAuthConfig;
  tokens: TokenService;
  users: BaseUserAuthentication<User>;
  passwords: PasswordHasher;
}): AuthRuntime<User> {
  const { config } = parts;
  const authorizer = new Authorizer(config.roleHierarchy, config.rolePermissions);
  const throttle = config.throttle === null ? null : new LoginThrottle(config.throttle);
  const base = { ...parts, authorizer, throttle };
  return { ...base, flows: new AuthFlows<User>(base) };
}
