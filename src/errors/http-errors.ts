import { CodedAuthError } from './auth-error';

/**
 * 401 `missing_credentials`: the request carries no token at all. Sent with a bare
 * `WWW-Authenticate: Bearer` challenge and no `error` value (RFC 6750 §3.1).
 */
export class MissingCredentialsError extends CodedAuthError {
  constructor() {
    super('missing_credentials', 'Authentication is required.');
  }
}

/** 401 `invalid_credentials`: login failed. Identical for an unknown user, a wrong password and an inactive account. */
export class InvalidCredentialsError extends CodedAuthError {
  constructor() {
    super('invalid_credentials', 'Incorrect username or password.');
  }
}

/** 401 `user_inactive`: the token is valid but its user is now inactive or deleted. */
export class InactiveUserError extends CodedAuthError {
  constructor() {
    super('user_inactive', 'The user of this token is inactive or no longer exists.');
  }
}

/** 400 `invalid_request`: a malformed request (two token sources, a malformed header or cookie, bad credentials shape). */
export class InvalidRequestError extends CodedAuthError {
  constructor(message = 'The request is malformed.') {
    super('invalid_request', message);
  }
}

/** 403 `insufficient_scope`: a valid, active user who lacks a role, a permission or a verified state. */
export class InsufficientScopeError extends CodedAuthError {
  constructor(message = 'You do not have permission to perform this action.') {
    super('insufficient_scope', message);
  }
}

/** 403 `csrf_failed`: a cookie-authenticated unsafe request without a matching CSRF token, or cross-site. */
export class CsrfError extends CodedAuthError {
  constructor(message = 'CSRF check failed.') {
    super('csrf_failed', message);
  }
}

/** 400 `password_policy`: a password the hashing policy refuses (over 72 UTF-8 bytes, a NUL byte, a lone surrogate). */
export class PasswordPolicyError extends CodedAuthError {
  constructor(message: string) {
    super('password_policy', message);
  }
}

/** 404 `session_not_found`: no live session of the caller has this id. */
export class SessionNotFoundError extends CodedAuthError {
  constructor() {
    super('session_not_found', 'No live session of yours has this id.');
  }
}

/**
 * 404 `not_found`: no route matches the request's method and path. What {@link notFoundHandler}
 * answers, in the `{ name, code, message }` shape of every other error.
 */
export class RouteNotFoundError extends CodedAuthError {
  constructor() {
    super('not_found', 'No route matches this method and path.');
  }
}

/** 429 `too_many_requests`: throttled. `retryAfterSeconds` is sent as `Retry-After`. */
export class TooManyRequestsError extends CodedAuthError {
  /** Seconds until the caller may try again. */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('too_many_requests', 'Too many attempts; try again later.');
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }

  /** Adds `Retry-After`. */
  override headers(): Record<string, string> {
    return { ...super.headers(), 'Retry-After': String(this.retryAfterSeconds) };
  }
}

/**
 * 503 `auth_busy`: too many password checks are already waiting for bcrypt; this one is shed
 * instead of queueing behind them. `retryAfterSeconds` is sent as `Retry-After`.
 */
export class AuthBusyError extends CodedAuthError {
  /** Seconds until the caller may try again. */
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds = 1) {
    super('auth_busy', 'The server is busy checking passwords; try again shortly.');
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }

  /** Adds `Retry-After`. */
  override headers(): Record<string, string> {
    return { ...super.headers(), 'Retry-After': String(this.retryAfterSeconds) };
  }
}

/** 503 `auth_unavailable`: the token store cannot be reached. Fails closed: nothing is accepted meanwhile. */
export class AuthUnavailableError extends CodedAuthError {
  constructor(options?: { cause?: unknown }) {
    super('auth_unavailable', 'Authentication is temporarily unavailable.', options);
  }
}
