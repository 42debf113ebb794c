import { HttpError } from 'routing-controllers';

/** The body every {@link AuthError} renders to: nothing else ever leaves the server. */
export interface AuthErrorBody {
  /** The error class name, e.g. `"ExpiredTokenError"`. */
  name: string;
  /** A stable, machine-readable code, e.g. `"token_expired"`. */
  code: string;
  /** A fixed, human-readable message that never carries a token, hash, stack or SQL. */
  message: string;
}

/**
 * Base class of every HTTP failure this library raises.
 *
 * It is a routing-controllers `HttpError`, so any error handler that knows `httpCode` answers with
 * the right status. `toJSON()` returns `{ name, code, message }` only: the stack, the `cause` and
 * any other property stay on the server, even with routing-controllers' `development` mode on.
 *
 * @example
 * ```ts
 * try {
 *   await tokens.validateAccessToken(raw);
 * } catch (error) {
 *   if (error instanceof AuthError) console.log(error.status, error.code);
 * }
 * ```
 */
export class AuthError extends HttpError {
  /** HTTP status answered for this error. */
  readonly status: number;
  /** Stable, machine-readable code. */
  readonly code: string;
  /**
   * The `WWW-Authenticate` header value sent with this error, if any (RFC 6750 §3).
   * Not enumerable, so it never appears in a serialized body.
   */
  declare readonly wwwAuthenticate?: string;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(status, message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    // Keep the cause for server-side debugging, but never enumerable: it may hold a token.
    Object.defineProperty(this, 'cause', {
      value: options?.cause,
      enumerable: false,
      writable: true,
      configurable: true,
    });
    Object.defineProperty(this, 'stack', { enumerable: false });
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** The response body: `{ name, code, message }` and nothing else. */
  toJSON(): AuthErrorBody {
    return { name: this.name, code: this.code, message: this.message };
  }

  /** @internal Attach the `WWW-Authenticate` value without making it enumerable. */
  protected challenge(value: string): this {
    Object.defineProperty(this, 'wwwAuthenticate', { value, enumerable: false });
    return this;
  }
}
