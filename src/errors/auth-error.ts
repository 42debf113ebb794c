import { HttpError } from 'routing-controllers';
import { AUTH_ERROR_CODES, type AuthErrorCode } from './codes';

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

  /**
   * @param status - HTTP status.
   * @param code - stable code; your own subclasses may use codes of their own.
   * @param message - fixed, safe message.
   * @param options - `cause`: kept server-side only, never serialized.
   */
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

  /**
   * Headers this error answers with: `Cache-Control: no-store`, its `WWW-Authenticate` challenge
   * if any, and whatever a subclass adds (e.g. `Retry-After`). Override to add headers of your own.
   */
  headers(): Record<string, string> {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (this.wwwAuthenticate !== undefined) headers['WWW-Authenticate'] = this.wwwAuthenticate;
    return headers;
  }

  /** @internal Attach the `WWW-Authenticate` value without making it enumerable. */
  protected challenge(value: string): this {
    Object.defineProperty(this, 'wwwAuthenticate', { value, enumerable: false });
    return this;
  }
}

/**
 * @internal The library's own errors: status and challenge come from {@link AUTH_ERROR_CODES}, so a
 * code answers the same way wherever it is raised.
 */
export class CodedAuthError extends AuthError {
  declare readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    const spec: { status: number; challenge?: string } = AUTH_ERROR_CODES[code];
    super(spec.status, code, message, options);
    if (spec.challenge !== undefined) this.challenge(spec.challenge);
  }
}
