import { CodedAuthError } from './auth-error';

/**
 * 401 `invalid_token`: the token is malformed, forged, of the wrong type, bound to another
 * user, or unknown to the store. The message is fixed and says nothing about which check failed.
 */
export class InvalidTokenError extends CodedAuthError {
  constructor(message = 'The token is invalid.', options?: { cause?: unknown }) {
    super('invalid_token', message, options);
  }
}

/** 401 `token_expired`: the token's `exp` (or its session's absolute lifetime) has passed. */
export class ExpiredTokenError extends CodedAuthError {
  constructor(options?: { cause?: unknown }) {
    super('token_expired', 'The token has expired.', options);
  }
}

/** 401 `token_revoked`: the token or its session was revoked (logout, logout-all, rotation). */
export class RevokedTokenError extends CodedAuthError {
  constructor() {
    super('token_revoked', 'The token has been revoked.');
  }
}

/**
 * 401 `refresh_token_reused`: a refresh token that was already rotated was presented again.
 * The whole session has been revoked, its newest tokens included (RFC 9700 §4.14).
 */
export class RefreshTokenReuseError extends CodedAuthError {
  constructor() {
    super('refresh_token_reused', 'The refresh token was already used; the session is revoked.');
  }
}

/** 401 `wrong_token_type`: a token of another purpose (an access token where a refresh token is expected, …). */
export class WrongTokenTypeError extends CodedAuthError {
  constructor() {
    super('wrong_token_type', 'The token is not of the expected type.');
  }
}
