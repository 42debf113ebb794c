import type {
  ExpressErrorMiddlewareInterface,
  RoutingControllersOptions,
} from 'routing-controllers';
import { Container } from 'typedi';
import type { DataSource } from 'typeorm';
import type { AuthOptions } from '../config/options';
import { resolveAuthConfig } from '../config/resolve';
import type { ResolvedAuthConfig } from '../config/resolved';
import { AuthConfigError } from '../errors/config-error';
import { authorizationChecker, currentUserChecker } from '../http/checkers';
import { AuthErrorHandler } from '../http/error-handler';
import { AUTH_RUNTIME, createRuntime } from '../http/runtime';
import { PasswordHasher } from '../passwords/hasher';
import { AuthSessionEntity } from '../tokens/store/session.entity';
import { AuthTokenEntity } from '../tokens/store/token.entity';
import { TokenService } from '../tokens/token-service';
import { BaseUserAuthentication } from '../users/base-user-authentication';
import { authStatus, type AuthStatus } from './status';

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
}

/** What {@link setupAuth} gives back. */
export interface AuthSetup<User = unknown> {
  /** The validated configuration. */
  readonly config: ResolvedAuthConfig;
  /** The token service (also registered in typedi). */
  readonly tokens: TokenService;
  /** The user bridge (also registered in typedi under `BaseUserAuthentication`). */
  readonly userAuthentication: BaseUserAuthentication<User>;
  /** For `useExpressServer({ authorizationChecker })`. */
  readonly authorizationChecker: typeof authorizationChecker;
  /** For `useExpressServer({ currentUserChecker })`. */
  readonly currentUserChecker: typeof currentUserChecker;
  /**
   * The routing-controllers middlewares the library needs (its error handler). When you pass
   * `middlewares` of your own, include these: `middlewares: [...auth.middlewares, MyMiddleware]`.
   */
  readonly middlewares: (new () => ExpressErrorMiddlewareInterface)[];
  /**
   * Options to spread into `useExpressServer`: both checkers, the library's error handler, and
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
  /** What is wired, for a health or debug page. */
  status(): AuthStatus;
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
 * Wires the library in one call: validates the configuration, builds the {@link TokenService},
 * registers it, the user bridge and the runtime in typedi, and hands back the options for
 * `useExpressServer`. Fails with an {@link AuthConfigError} naming what is missing.
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
  const userAuthentication = findUserAuthentication(input.userAuthentication);
  userAuthentication.passwords = new PasswordHasher(
    config.bcryptCost,
    config.passwordConcurrency,
    config.passwordQueueLimit,
  );
  const tokens = new TokenService(dataSource, config);
  const runtime = createRuntime(config, tokens, userAuthentication);
  Container.set(AUTH_RUNTIME, runtime);
  Container.set(TokenService, tokens);
  Container.set(BaseUserAuthentication, userAuthentication);
  const middlewares = [AuthErrorHandler];
  return {
    config,
    tokens,
    userAuthentication,
    authorizationChecker,
    currentUserChecker,
    middlewares,
    serverOptions: {
      authorizationChecker,
      currentUserChecker,
      defaultErrorHandler: false,
      development: false,
      middlewares,
    },
    status: () => authStatus(),
  };
}
