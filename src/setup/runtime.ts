import { AccountFlows } from '../account/account-flows';
import { Background, type BackgroundErrorLogger } from '../account/background';
import { logSetupWarning, type SetupWarningLogger } from '../account/availability';
import type { Mailer } from '../account/mailer';
import { SetupWarnings } from '../account/warnings';
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
  /** Throttling of the account flows (forgot password, verify, reset), or `null` when off. */
  readonly accountThrottle: LoginThrottle | null;
  /** Where the account flows' mail goes, or `null` (then only the hooks see the tokens). */
  readonly mailer: Mailer | null;
  /** Work off the request path: mail and `onAfter*` hooks. */
  readonly background: Background;
  /** Warnings about the bridge found while serving requests, each logged once. */
  readonly warnings: SetupWarnings;
  /** Register, verify, reset, self-service and admin user flows. */
  readonly account: AccountFlows<User>;
}

/** @internal Builds a runtime from its parts. */
export function createRuntime<User>(parts: {
  config: ResolvedAuthConfig;
  tokens: TokenService;
  users: BaseUserAuthentication<User>;
  passwords: PasswordHasher;
  mailer?: Mailer | null;
  logError?: BackgroundErrorLogger;
  logWarning?: SetupWarningLogger;
}): AuthRuntime<User> {
  const { config, logError, logWarning, ...rest } = parts;
  const authorizer = new Authorizer(config.roleHierarchy, config.rolePermissions);
  const throttle = config.throttle === null ? null : new LoginThrottle(config.throttle);
  // The same store as login throttling (memory or the same Redis), counters of their own.
  const accountThrottle =
    config.throttle === null
      ? null
      : new LoginThrottle({
          ...config.throttle,
          keyPrefix: `${config.throttle.keyPrefix}-account`,
        });
  const base = {
    ...rest,
    config,
    mailer: parts.mailer ?? null,
    background: new Background(logError),
    warnings: new SetupWarnings(logWarning ?? logSetupWarning),
    authorizer,
    throttle,
    accountThrottle,
  };
  return { ...base, flows: new AuthFlows<User>(base), account: new AccountFlows<User>(base) };
}
