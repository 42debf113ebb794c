import type { NextFunction, Request, Response } from 'express';
import { Middleware, type ExpressErrorMiddlewareInterface } from 'routing-controllers';
import { Service } from 'typedi';
import { errorResponse, type ErrorResponse } from './error-response';

/**
 * The error handler `setupAuth` registers (as an `after` middleware, with routing-controllers'
 * default handler turned off): every error becomes `{ name, code, message }` with the right
 * status and `WWW-Authenticate` — never a stack, token, hash or SQL, whatever `development` says.
 * Unknown errors answer 500 and are logged server-side through {@link AuthErrorHandler.log}.
 *
 * Override {@link AuthErrorHandler.toResponse} in a subclass to map errors of your own.
 */
@Middleware({ type: 'after' })
@Service()
export class AuthErrorHandler implements ExpressErrorMiddlewareInterface {
  /** Express error-middleware entry point (synchronous on purpose: a rejection here would go unhandled). */
  error(error: unknown, _req: Request, res: Response, next: NextFunction): void {
    if (res.headersSent) {
      if (!res.writableEnded) next(error);
      return;
    }
    const response = this.toResponse(error);
    // A shed login (503 auth_busy) is load, not a fault: during a storm it would be a line each.
    if (response.status >= 500 && response.body.code !== 'auth_busy') this.log(error);
    // A static file's Content-Type (or Range headers) may already be set: the body is JSON.
    res.removeHeader('Content-Range');
    res.status(response.status).set(response.headers).type('application/json').json(response.body);
  }

  /** Maps an error to its response. Default: {@link errorResponse}. */
  protected toResponse(error: unknown): ErrorResponse {
    return errorResponse(error);
  }

  /**
   * Logs a 5xx answer server-side. Default: `console.error` with the error's name and message,
   * then its `cause` (e.g. the driver error behind a 503) or else its stack frames, the message
   * said once. Never reaches the client.
   */
  protected log(error: unknown): void {
    if (!(error instanceof Error)) {
      console.error('[routing-controllers-auth] non-error thrown:', error);
      return;
    }
    const head = `${error.name}: ${error.message}`;
    const cause = (error as { cause?: unknown }).cause;
    if (cause !== undefined) {
      console.error(`[routing-controllers-auth] ${head}`, cause);
      return;
    }
    // A stack starts with "name: message" (V8), so the message is not written twice.
    const stack = error.stack ?? '';
    console.error(
      `[routing-controllers-auth] ${stack.startsWith(head) ? stack : `${head}\n${stack}`}`,
    );
  }
}
