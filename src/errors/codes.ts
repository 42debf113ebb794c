/** How one error code answers on the wire: its status and its `WWW-Authenticate` challenge. */
export interface ErrorCodeSpec {
  /** HTTP status. */
  readonly status: number;
  /** `WWW-Authenticate` value (RFC 6750 §3), when the code carries one. */
  readonly challenge?: string;
}

const BEARER = 'Bearer';
const INVALID_TOKEN = 'Bearer error="invalid_token"';

/** A code the library answers with (see {@link AUTH_ERROR_CODES}); your own errors may add more. */
export type AuthErrorCode =
  | 'missing_credentials'
  | 'invalid_credentials'
  | 'invalid_token'
  | 'token_expired'
  | 'token_revoked'
  | 'refresh_token_reused'
  | 'wrong_token_type'
  | 'user_inactive'
  | 'invalid_request'
  | 'validation_failed'
  | 'password_policy'
  | 'insufficient_scope'
  | 'csrf_failed'
  | 'not_found'
  | 'session_not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'internal_error'
  | 'auth_unavailable'
  | 'auth_busy'
  | 'email_taken'
  | 'invalid_password'
  | 'invalid_verify_token'
  | 'invalid_reset_token'
  | 'user_not_found';

/**
 * Every code the library itself answers with, and how: one table instead of literals spread over
 * the error classes. Codes are stable: clients may switch on them.
 */
export const AUTH_ERROR_CODES: Readonly<Record<AuthErrorCode, ErrorCodeSpec>> = {
  missing_credentials: { status: 401, challenge: BEARER },
  invalid_credentials: { status: 401, challenge: BEARER },
  invalid_token: { status: 401, challenge: INVALID_TOKEN },
  token_expired: { status: 401, challenge: INVALID_TOKEN },
  token_revoked: { status: 401, challenge: INVALID_TOKEN },
  refresh_token_reused: { status: 401, challenge: INVALID_TOKEN },
  wrong_token_type: { status: 401, challenge: INVALID_TOKEN },
  user_inactive: { status: 401, challenge: INVALID_TOKEN },
  invalid_request: { status: 400, challenge: 'Bearer error="invalid_request"' },
  validation_failed: { status: 400 },
  password_policy: { status: 400 },
  insufficient_scope: { status: 403, challenge: 'Bearer error="insufficient_scope"' },
  csrf_failed: { status: 403 },
  not_found: { status: 404 },
  session_not_found: { status: 404 },
  payload_too_large: { status: 413 },
  unsupported_media_type: { status: 415 },
  too_many_requests: { status: 429 },
  internal_error: { status: 500 },
  auth_unavailable: { status: 503 },
  auth_busy: { status: 503 },
  email_taken: { status: 409 },
  invalid_password: { status: 400 },
  invalid_verify_token: { status: 400 },
  invalid_reset_token: { status: 400 },
  user_not_found: { status: 404 },
};
