import { AuthError } from './auth-error';

const INVALID = 'Bearer error="invalid_token"';

/**
 * 401 `invalid_token`: the token is malformed, forged, of the wrong type, bound to another
 * user, or unknown to the store. The message is fixed and says nothing about which check failed.
 */
export class InvalidTokenError extends AuthError {
  constructor(message = 'The access token is invalid.', options?: { cause?: unknown }) {
    super(401, 'invalid_token', message, options);
    this.challenge(INVALID);
  }
}

/** 401 `token_expired`: the token's `exp` (or its session's absolute lifetime) has passed. */
export class ExpiredTokenError extends AuthError {
  constructor(options?: { cause?: unknown }) {
    super(401, 'token_expired', 'The token has expired.', options);
    this.challenge(INVALID);
  }
}

/** 401 `token_revoked`: the token or its session was revoked (logout, logout-all, rotation). */
export class RevokedTokenError extends AuthError {
  constructor() {
    super(401, 'token_revoked', 'The token has been revoked.');
    this.challenge(INVALID);
  }
}

/**
 * 401 `refresh_token_reused`: a refresh token that was already rotated was presented again.
 * The whole session has been revoked, its newest tokens included (RFC 9700 §4.14).
 */
export class RefreshTokenReuseError extends AuthError {
  constructor() {
    super(
      401,
      'refresh_token_reused',
      'The refresh token was already used; the session is revoked.',
    );
    this.challenge(INVALID);
  }
}

/** 401 `wrong_token_type`: an access token where a refresh token is expected, or the reverse. */
export class WrongTokenTypeError extends AuthError {
  constructor() {
    super(401, 'wrong_token_type', 'The token is not of the expected type.');
    this.challenge(INVALID);
  }
}
