import { Container, Token } from 'typedi';
import type { ResolvedAuthConfig } from '../config/resolved';
import { AuthConfigError } from '../errors/config-error';
import { LoginThrottle } from '../throttle/login-throttle';
import type { TokenService } from '../tokens/token-service';
import type { BaseUserAuthentication } from '../users/base-user-authentication';
import { expandHierarchy } from './requirements';

/** Everything the HTTP layer needs, wired once by `setupAuth`. */
export interface AuthRuntime {
  /** The resolved configuration. */
  readonly config: ResolvedAuthConfig;
  /** The token engine. */
  readonly tokens: TokenService;
  /** The user bridge. */
  readonly users: BaseUserAuthentication;
  /** Role → every role it includes (itself too). */
  readonly roles: ReadonlyMap<string, ReadonlySet<string>>;
  /** Login throttling, or `null` when turned off. */
  readonly throttle: LoginThrottle | null;
}

/** typedi token under which `setupAuth` registers the {@link AuthRuntime}. */
export const AUTH_RUNTIME = new Token<AuthRuntime>('routing-controllers-auth.runtime');

/** Builds the runtime from its parts. */
export function createRuntime(
  config: ResolvedAuthConfig,
  tokens: TokenService,
  users: BaseUserAuthentication,
): AuthRuntime {
  return {
    config,
    tokens,
    users,
    roles: expandHierarchy(config.roleHierarchy),
    throttle: config.throttle === null ? null : new LoginThrottle(config.throttle),
  };
}

/** The runtime registered by `setupAuth`; a clear error when setup has not run. */
export function getRuntime(): AuthRuntime {
  if (!Container.has(AUTH_RUNTIME)) {
    throw new AuthConfigError(
      'setupAuth',
      'routing-controllers-auth is not set up: call setupAuth({ dataSource, userAuthentication }) before serving requests.',
    );
  }
  return Container.get(AUTH_RUNTIME);
}
