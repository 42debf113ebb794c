import { InvalidRequestError } from '../errors/http-errors';
import { assertHashablePassword } from '../passwords/policy';
import type { LoginCredentials } from '../users/base-user-authentication';

/** Longest identifier accepted (an email address is at most 320 characters). */
export const MAX_IDENTIFIER_LENGTH = 320;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads login credentials from a parsed body: `email` or `username` (one of them, a non-empty
 * string of at most 320 characters, without NUL) and `password` (a non-empty string inside the
 * hashing policy). Anything else is a 400 before any query or hash is run — TypeORM's `findOneBy`
 * with an undefined key would match the first row, bcrypt would throw on a non-string, and
 * PostgreSQL refuses a NUL in text.
 */
export function readCredentials(body: unknown): LoginCredentials {
  if (!isPlainObject(body))
    throw new InvalidRequestError('Send credentials as a JSON object or form.');
  const email = Object.hasOwn(body, 'email') ? body.email : undefined;
  const username = Object.hasOwn(body, 'username') ? body.username : undefined;
  const password = Object.hasOwn(body, 'password') ? body.password : undefined;
  if (email !== undefined && username !== undefined) {
    throw new InvalidRequestError('Send either email or username, not both.');
  }
  const identifier = email ?? username;
  if (typeof identifier !== 'string' || identifier.trim() === '') {
    throw new InvalidRequestError('email (or username) must be a non-empty string.');
  }
  if (identifier.length > MAX_IDENTIFIER_LENGTH) {
    throw new InvalidRequestError(
      `email (or username) must be at most ${MAX_IDENTIFIER_LENGTH} characters.`,
    );
  }
  // PostgreSQL refuses a NUL in text: the user lookup would fail as a 5xx, not a 401.
  if (identifier.includes('\0')) {
    throw new InvalidRequestError('email (or username) must not contain a NUL character.');
  }
  if (typeof password !== 'string' || password === '') {
    throw new InvalidRequestError('password must be a non-empty string.');
  }
  assertHashablePassword(password);
  return { username: identifier.trim(), password };
}
