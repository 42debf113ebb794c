import { runtimeOf } from '../http/binding';
import { setupOf, type AuthSetup } from './setup-auth';

/**
 * The setup serving a request (the one whose `serverOptions` its app was given): its flows,
 * tokens, hasher and configuration, inside a controller or middleware of your own without
 * importing the setup object. Throws an `AuthConfigError` when no setup serves the request.
 *
 * @typeParam User - your user type.
 * @example
 * ```ts
 * @Post('/signin')
 * signIn(@Body() body: unknown, @Req() req: Request) {
 *   return authFor<User>(req).flows.login(body, clientOf(req));
 * }
 * ```
 */
export function authFor<User = unknown>(request: object): AuthSetup<User> {
  return setupOf(runtimeOf(request)) as AuthSetup<User>;
}
