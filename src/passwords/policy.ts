import { PasswordPolicyError } from '../errors/http-errors';

/** bcrypt reads at most this many bytes of a password; longer ones are refused, never truncated. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * The hashing policy (SECURITY.md 18): a password must be a string of at most 72 UTF-8 bytes
 * without a NUL byte. bcrypt would silently ignore everything past byte 72, and its C
 * implementation stops at a NUL, so `"abc\0def"` would match `"abc"`. Refusing both keeps every
 * accepted password fully significant. Throws {@link PasswordPolicyError} (400).
 */
export function assertHashablePassword(password: string): void {
  if (password.includes('\0')) {
    throw new PasswordPolicyError('The password must not contain a NUL character.');
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new PasswordPolicyError(`The password must be at most ${MAX_PASSWORD_BYTES} bytes long.`);
  }
}
