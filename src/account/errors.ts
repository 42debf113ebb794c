import { CodedAuthError } from '../errors/auth-error';

/** 409 `email_taken`: registration (or an email change) with an address that already has an account, in any case. */
export class EmailTakenError extends CodedAuthError {
  constructor() {
    super('email_taken', 'An account with this email already exists.');
  }
}

/**
 * 400 `invalid_password`: the current password given to change the password or delete the
 * account is wrong. Never 401: the access token is fine.
 */
export class InvalidPasswordError extends CodedAuthError {
  constructor() {
    super('invalid_password', 'The password is incorrect.');
  }
}

/** 400 `invalid_verify_token`: a verify token that is used, expired, forged, of another purpose or malformed. */
export class InvalidVerifyTokenError extends CodedAuthError {
  constructor(options?: { cause?: unknown }) {
    super('invalid_verify_token', 'The verification token is invalid or has expired.', options);
  }
}

/** 400 `invalid_reset_token`: a reset token that is used, expired, forged, of another purpose or malformed. */
export class InvalidResetTokenError extends CodedAuthError {
  constructor(options?: { cause?: unknown }) {
    super('invalid_reset_token', 'The reset token is invalid or has expired.', options);
  }
}

/** 404 `user_not_found`: no user has this id (a malformed id answers the same). */
export class UserNotFoundError extends CodedAuthError {
  constructor() {
    super('user_not_found', 'No user has this id.');
  }
}
