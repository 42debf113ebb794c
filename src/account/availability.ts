import type { BaseUserAuthentication } from '../users/base-user-authentication';
import {
  MeController,
  RegisterController,
  ResetPasswordController,
  UsersAdminController,
  VerifyController,
} from './controllers';
import type { AccountBridgeMethod } from './support';

/** A ready-made account controller class. */
export type AccountController =
  | typeof RegisterController
  | typeof VerifyController
  | typeof ResetPasswordController
  | typeof MeController
  | typeof UsersAdminController;

/** An account controller and the bridge methods it needs. */
export interface AccountControllerNeeds {
  /** The controller class. */
  readonly controller: AccountController;
  /** Bridge methods it calls. */
  readonly needs: readonly AccountBridgeMethod[];
}

/** Each account controller and the bridge methods it needs, in mounting order (`/users/me` before `/users/:id`). */
export const ACCOUNT_CONTROLLERS: readonly AccountControllerNeeds[] = [
  { controller: RegisterController, needs: ['findByEmail', 'createUser'] },
  { controller: VerifyController, needs: ['findByEmail', 'updateUser'] },
  { controller: ResetPasswordController, needs: ['findByEmail', 'updateUser'] },
  { controller: MeController, needs: ['updateUser', 'deleteUser'] },
  { controller: UsersAdminController, needs: ['updateUser', 'deleteUser'] },
];

/** What `auth.status().accountRoutes` reports. */
export interface AccountRoutesStatus {
  /** Controllers in `auth.accountControllers`, by class name. */
  mounted: string[];
  /** Controllers left out, each with the bridge methods it misses. */
  missing: MissingAccountRoutes[];
}

/** An account controller left out, and the bridge methods it misses. */
export interface MissingAccountRoutes {
  /** The controller's class name. */
  controller: string;
  /** The bridge methods your subclass lacks. */
  methods: AccountBridgeMethod[];
}

/** Where setup reports account routes it left out, and a bridge whose `getEmail` gives no address. Default: one `console.warn` line. */
export type SetupWarningLogger = (message: string) => void;

/** @internal The default {@link SetupWarningLogger}. */
export const logSetupWarning: SetupWarningLogger = (message) => {
  console.warn(`[routing-controllers-auth] ${message}`);
};

const BRIDGE_METHODS: readonly AccountBridgeMethod[] = [
  'findByEmail',
  'createUser',
  'updateUser',
  'deleteUser',
];

/**
 * @internal What setup says about left-out routes: nothing for a bridge with none of the account
 * methods (it does not use the account flows; `status()` still lists them), else one line naming
 * each controller left out and the methods it needs.
 */
function warningFor(
  users: BaseUserAuthentication<never>,
  status: AccountRoutesStatus,
): string | null {
  const usesAccount = BRIDGE_METHODS.some((name) => typeof users[name] === 'function');
  if (!usesAccount || status.missing.length === 0) return null;
  const bridge = users.constructor.name;
  const parts = status.missing.map(
    ({ controller, methods }) =>
      `${controller} (needs ${methods.map((m) => `${bridge}.${m}()`).join(', ')})`,
  );
  return `account routes not mounted: ${parts.join('; ')}. Implement those methods to get the routes; auth.status().accountRoutes lists them.`;
}

/** @internal The controllers whose bridge methods exist, why the others are left out, and what setup says about it. */
export function accountAvailability(users: BaseUserAuthentication<never>): {
  controllers: AccountController[];
  status: AccountRoutesStatus;
  warning: string | null;
} {
  const controllers: AccountController[] = [];
  const status: AccountRoutesStatus = { mounted: [], missing: [] };
  for (const { controller, needs } of ACCOUNT_CONTROLLERS) {
    const methods = needs.filter((name) => typeof users[name] !== 'function');
    if (methods.length === 0) {
      controllers.push(controller);
      status.mounted.push(controller.name);
    } else {
      status.missing.push({ controller: controller.name, methods });
    }
  }
  return { controllers, status, warning: warningFor(users, status) };
}
