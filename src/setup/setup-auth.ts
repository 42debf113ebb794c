import type {
  ExpressErrorMiddlewareInterface,
  RoutingControllersOptions,
} from 'routing-controllers';
import { Container } from 'typedi';
import type { DataSource } from 'typeorm';
import type { AccountFlows } from '../account/account-flows';
import {
  accountAvailability,
  logSetupWarning,
  type AccountController,
  type SetupWarningLogger,
} from '../account/availability';
import { logBackgroundError, type BackgroundErrorLogger } from '../account/background';
import type { Mailer } from '../account/mailer';
import { withValidationCache } from '../cache/attach';
import { createValidationCache } from '../cache/create';
import type { AuthOptions } from '../config/options';
import { resolveAuthConfig } from '../config/resolve';
import type { ResolvedAuthConfig } from '../config/resolved';
import { AuthConfigError } from '../errors/config-error';
import type { AuthFlows } from '../flows/auth-flows';
import { createBindingMiddleware, type MiddlewareClass } from '../http/binding';
import {
  createCheckers,
  type AuthorizationChecker,
  type CurrentUserChecker,
} from '../http/checkers';
import { AuthErrorHandler } from '../http/error-handler';
import { PasswordHasher } from '../passwords/hasher';
import { AuthSessionEntity } from '../tokens/store/session.entity';
import { AuthTokenEntity } from '../tokens/store/token.entity';
import { TokenService } from '../tokens/token-service';
import { BaseUserAuthentication } from '../users/base-user-authentication';
import { startPurgeSchedule } from './purge-schedule';
import { createRuntime, type AuthRuntime } from './runtime';
import { describeSetup, type AuthStatus } from './status';

/** What {@link setupAuth} takes. */
export interface SetupAuthInput<User = unknown> {
  /** An initialized TypeORM DataSource whose `entities` include `...AUTH_ENTITIES`. */
  dataSource: DataSource;
  /**
   * Your `BaseUserAuthentication` subclass instance. Default: the one registered in typedi under
   * `BaseUserAuthentication` (`Container.set(BaseUserAuthentication, new MyAuth())`).
   */
  userAuthentication?: BaseUserAuthentication<User>;
  /** Options; `AUTH_*` environment variables fill what is not given. */
  options?: AuthOptions;
  /** Environment to read `AUTH_*` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Register this setup's `TokenService` in typedi's global container, so services can inject it.
   * Default `true`. With several setups in one process the last registration wins: inject from
   * `auth.tokens` instead, or set it `false`.
   */
  registerInContainer?: boolean;
  /**
   * Sends the account flows' mail (verify and reset tokens), off the request path. Default: none
   * (the tokens then reach only the `onAfterRequestVerify` / `onAfterForgotPassword` hooks).
   */
  mailer?: Mailer;
  /**
   * Where a failure off the request path (a mailer, an `onAfter*` hook, a scheduled purge) is
   * reported. Default: one line on standard error with the task and the error's message, never a
   * token.
   */
  logError?: BackgroundErrorLogger;
  /**
   * Where setup reports ready-made account routes it left out of `auth.accountControllers`
   * because the bridge lacks a method they need (one line naming each controller and method;
   * nothing when the bridge has none of the account methods), and, once, a bridge whose
   * `getEmail` gives no address for a user it found (also listed in `status().problems`), and
   * the validation cache's channel going down (once per outage: the cache is bypassed) and
   * listening again. Default: one `console.warn` line.
   */
  logWarning?: SetupWarningLogger;
}

/** What {@link setupAuth} gives back: one app's auth, used by nothing else. */
export interface AuthSetup<User = unknown> {
  /** The validated configuration. */
  readonly config: ResolvedAuthConfig;
  /** This setup's token service. */
  readonly tokens: TokenService;
  /** The user bridge. */
  readonly userAuthentication: BaseUserAuthentication<User>;
  /**
   * The configured password hasher (`bcryptCost`, `passwordConcurrency`): hash new passwords with
   * `auth.passwords.hash(pw)`. The bridge's `checkPassword` uses the same one.
   */
  readonly passwords: PasswordHasher;
  /** Login, refresh, logout and sessions, for controllers of your own. */
  readonly flows: AuthFlows<User>;
  /** Register, verify, reset, self-service and admin user flows, for controllers of your own. */
  readonly account: AccountFlows<User>;
  /**
   * The ready-made account controllers whose bridge methods exist, in mounting order:
   * `controllers: [AuthController, ...auth.accountControllers]`. `status().accountRoutes` says
   * which were left out and which methods they miss.
   */
  readonly accountControllers: readonly AccountController[];
  /** For `useExpressServer({ authorizationChecker })`; closes over this setup. */
  readonly authorizationChecker: AuthorizationChecker;
  /** For `useExpressServer({ currentUserChecker })`; closes over this setup. */
  readonly currentUserChecker: CurrentUserChecker;
  /**
   * The routing-controllers middlewares this setup needs: one that binds each request to this
   * setup (so decorators and ready-made controllers find it) and the error handler. When you pass
   * `middlewares` of your own, include these: `middlewares: [...auth.middlewares, MyMiddleware]`.
   */
  readonly middlewares: (MiddlewareClass | (new () => ExpressErrorMiddlewareInterface))[];
  /**
   * Options to spread into `useExpressServer`: both checkers, the middlewares, and
   * routing-controllers' default error handler off (it would send stacks and miss
   * `WWW-Authenticate`).
   */
  readonly serverOptions: Pick<
    RoutingControllersOptions,
    | 'authorizationChecker'
    | 'currentUserChecker'
    | 'defaultErrorHandler'
    | 'development'
    | 'middlewares'
  >;
  /**
   * Your `useExpressServer` options with this setup's merged in: its middlewares first, then yours
   * (so none is lost to the order of a spread), both checkers, and the default error handler and
   * `development` off. Prefer it to spreading `serverOptions` when you pass options of your own.
   *
   * @example
   * ```ts
   * useExpressServer(app, auth.serverOptionsWith({ controllers: [AuthController], middlewares: [Logger] }));
   * ```
   */
  serverOptionsWith(options: RoutingControllersOptions): RoutingControllersOptions;
  /** What this setup wired, for a health or debug page. Never contains a secret. */
  status(): AuthStatus;
  /**
   * Stops what this setup started: the `purgeIntervalSeconds` schedule (a purge under way stops
   * after its current batch, and is waited for) and the validation cache's listening connection
   * (PostgreSQL LISTEN or a Redis subscriber), which would otherwise keep the process alive. Call
   * it on shutdown, before `dataSource.destroy()`. It closes neither the DataSource nor your
   * Redis client. Without either there is nothing to stop.
   */
  close(): Promise<void>;
}

const setups = new WeakMap<AuthRuntime, AuthSetup>();
const runtimes = new WeakMap<AuthSetup, AuthRuntime>();

/** @internal The runtime behind a setup (for the library's own tests and tools). */
export function runtimeOfSetup(setup: AuthSetup): AuthRuntime {
  const runtime = runtimes.get(setup);
  if (runtime === undefined) throw new Error('not a setup made by setupAuth');
  return runtime;
}

/** @internal The public setup of a runtime. */
export function setupOf(runtime: AuthRuntime): AuthSetup {
  const setup = setups.get(runtime);
  if (setup === undefined) throw new Error('unknown runtime');
  return setup;
}

function findUserAuthentication<User>(
  given: BaseUserAuthentication<User> | undefined,
): BaseUserAuthentication<User> {
  // typedi's has() lacks the abstract-class overload; the key is the same class object either way.
  const key = BaseUserAuthentication as unknown as new () => BaseUserAuthentication;
  const found: unknown = given ?? (Container.has(key) ? Container.get(key) : undefined);
  const usable =
    found instanceof BaseUserAuthentication &&
    typeof found.authenticate === 'function' &&
    typeof found.getUserById === 'function' &&
    typeof found.getUserId === 'function';
  if (!usable) {
    throw new AuthConfigError(
      'userAuthentication',
      'no user authentication: pass setupAuth({ userAuthentication: new MyAuth() }) with a subclass of ' +
        'BaseUserAuthentication, or Container.set(BaseUserAuthentication, new MyAuth()) first.',
    );
  }
  return found as BaseUserAuthentication<User>;
}

function checkDataSource(value: unknown): DataSource {
  const dataSource = value as Partial<DataSource> | null | undefined;
  if (
    dataSource === undefined ||
    dataSource === null ||
    typeof dataSource.hasMetadata !== 'function'
  ) {
    throw new AuthConfigError(
      'dataSource',
      'pass setupAuth({ dataSource }) with a TypeORM DataSource.',
    );
  }
  if (!dataSource.isInitialized) {
    throw new AuthConfigError(
      'dataSource',
      'the DataSource is not initialized: await dataSource.initialize() first.',
    );
  }
  if (!dataSource.hasMetadata(AuthTokenEntity) || !dataSource.hasMetadata(AuthSessionEntity)) {
    throw new AuthConfigError(
      'dataSource',
      'the DataSource does not know the auth tables: add ...AUTH_ENTITIES to its entities (and AUTH_MIGRATIONS to its migrations when synchronize is off).',
    );
  }
  return dataSource as DataSource;
}

/**
 * Wires the library for one app: validates the configuration, builds this setup's
 * {@link TokenService}, hasher, throttle and flows, and hands back the options for
 * `useExpressServer`. Each call is independent: two apps in one process each get their own, and
 * nothing on the request path reads typedi's global container. Fails with an
 * {@link AuthConfigError} naming what is missing.
 *
 * @example
 * ```ts
 * useContainer(Container);
 * await dataSource.initialize();
 * const auth = setupAuth({ dataSource, userAuthentication: new MyAuth(dataSource) });
 * useExpressServer(app, { ...auth.serverOptions, controllers: [AuthController, UsersController] });
 * ```
 */
export function setupAuth<User>(input: SetupAuthInput<User>): AuthSetup<User> {
  const dataSource = checkDataSource(input.dataSource);
  const config = resolveAuthConfig(input.options, input.env);
  const users = findUserAuthentication(input.userAuthentication);
  const passwords = new PasswordHasher(
    config.bcryptCost,
    config.passwordConcurrency,
    config.passwordQueueLimit,
    config.passwordNice,
  );
  users.passwords = passwords;
  const validationCache = createValidationCache(
    dataSource,
    config,
    input.logWarning ?? logSetupWarning,
  );
  const tokens = withValidationCache(dataSource, config, validationCache);
  const runtime = createRuntime({
    config,
    tokens,
    users,
    passwords,
    mailer: input.mailer ?? null,
    logError: input.logError,
    logWarning: input.logWarning,
  });
  const available = accountAvailability(users as BaseUserAuthentication<never>);
  if (available.warning !== null) (input.logWarning ?? logSetupWarning)(available.warning);
  if (input.registerInContainer !== false) Container.set(TokenService, tokens);
  const checkers = createCheckers(runtime);
  // Off by default; the timer is unref()ed and auth.close() stops it.
  const purge =
    config.purgeIntervalSeconds === null
      ? null
      : startPurgeSchedule(
          tokens,
          config.purgeIntervalSeconds * 1000,
          input.logError ?? logBackgroundError,
        );

  const middlewares = [createBindingMiddleware(runtime), AuthErrorHandler];
  const setup: AuthSetup<User> = {
    config,
    tokens,
    userAuthentication: users,
    passwords,
    flows: runtime.flows,
    account: runtime.account,
    accountControllers: available.controllers,
    ...checkers,
    middlewares,
    serverOptions: {
      ...checkers,
      defaultErrorHandler: false,
      development: false,
      middlewares,
    },
    serverOptionsWith: (options) => {
      const own = options.middlewares ?? [];
      if (own.some((m) => typeof m === 'string')) {
        throw new AuthConfigError(
          'middlewares',
          'serverOptionsWith takes middleware classes; with glob strings, list ...auth.middlewares yourself.',
        );
      }
      return {
        ...options,
        ...checkers,
        defaultErrorHandler: false,
        development: false,
        middlewares: [...middlewares, ...(own as MiddlewareClass[])],
      };
    },
    status: () => ({ ...describeSetup(runtime), accountRoutes: available.status }),
    close: async () => {
      await purge?.stop();
      await validationCache?.close();
    },
  };
  setups.set(runtime, setup);
  runtimes.set(setup, runtime);
  validationCache?.start();
  return setup;
}
