import type { NextFunction, Request, Response } from 'express';
import { Middleware, type ExpressMiddlewareInterface } from 'routing-controllers';
import { Service } from 'typedi';
import { AuthConfigError } from '../errors/config-error';
import type { AuthRuntime } from '../setup/runtime';

const bound = new WeakMap<object, AuthRuntime>();
/** Express app → the setup whose middleware runs in it: a mounted sub-app keeps its own. */
const apps = new WeakMap<object, AuthRuntime>();

function appOf(req: object): object | undefined {
  const app = (req as { app?: unknown }).app;
  return typeof app === 'function' || (typeof app === 'object' && app !== null) ? app : undefined;
}

/**
 * @internal Binds a request to the setup that serves it. The app the request is in (`req.app`,
 * which Express switches to a mounted sub-app while inside it) remembers its setup, so an app
 * with its own `setupAuth` mounted inside another is served by its own setup there.
 */
export function bindRuntime(req: object, runtime: AuthRuntime): void {
  const app = appOf(req);
  if (app !== undefined && !apps.has(app)) apps.set(app, runtime);
  bound.set(req, runtime);
}

/** @internal The runtime of the setup serving `req`; a clear error when none is bound. */
export function runtimeOf(req: object): AuthRuntime {
  const app = appOf(req);
  const runtime = (app === undefined ? undefined : apps.get(app)) ?? bound.get(req);
  if (runtime === undefined) {
    throw new AuthConfigError(
      'serverOptions',
      'this request reached a routing-controllers-auth decorator or controller, but no setup serves ' +
        'it: pass useExpressServer(app, { ...auth.serverOptions, controllers }) — and when you give ' +
        'middlewares of your own, include ...auth.middlewares.',
    );
  }
  return runtime;
}

/** A routing-controllers middleware class, as `useExpressServer({ middlewares })` takes them. */
export type MiddlewareClass = new () => object;

/**
 * @internal A `before` middleware class of one setup: it binds every request of its app to that
 * setup, so decorators and ready-made controllers find their runtime from the request. One class
 * per setup (a typedi service of its own), so two setups in one process never meet.
 */
export function createBindingMiddleware(runtime: AuthRuntime): MiddlewareClass {
  @Middleware({ type: 'before', priority: Number.MAX_SAFE_INTEGER })
  @Service()
  class AuthBindingMiddleware implements ExpressMiddlewareInterface {
    use(req: Request, _res: Response, next: NextFunction): void {
      bindRuntime(req, runtime);
      next();
    }
  }
  return AuthBindingMiddleware;
}
