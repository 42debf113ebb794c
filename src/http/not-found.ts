import type { Request, Response } from 'express';
import { RouteNotFoundError } from '../errors/http-errors';

/**
 * The last handler of an app: a request no route answered gets 404 `not_found` as JSON
 * (`{ name: "RouteNotFoundError", code, message }`, `Cache-Control: no-store`), whatever its
 * method, instead of Express's HTML `Cannot GET /nope`. Mount it after `useExpressServer`.
 * routing-controllers calls `next()` after it has sent an action's answer, so an answered request
 * reaches it too and is left alone.
 *
 * @example
 * ```ts
 * useExpressServer(app, auth.serverOptionsWith({ controllers: [AuthController] }));
 * app.use(notFoundHandler);
 * ```
 */
export function notFoundHandler(_req: Request, res: Response): void {
  if (res.headersSent) return;
  const error = new RouteNotFoundError();
  res.status(error.status).set(error.headers()).json(error.toJSON());
}
