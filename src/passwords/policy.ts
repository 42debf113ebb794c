import { PasswordPolicyError } from '../errors/http-errors';

/** bcrypt reads at most this many bytes of a password; longer ones are refused, never truncated. */
export const MAX_PASSWORD_BYTES = 72;

/** A UTF-16 surrogate without its partner: in `u` mode a lone one is a code point of its own. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The hashing policy (SECURITY.md 18): a password must be well-formed Unicode text of at most 72
 * UTF-8 bytes without a NUL byte. bcrypt would silently ignore everything past byte 72, and its C
 * implementation stops at a NUL, so `"abc\0def"` would match `"abc"`. A lone surrogate (JSON
 * `"\ud800"`) has no UTF-8 form: it would be hashed as U+FFFD, so every such password would match
 * every other with the same replacement. Refusing all three keeps every accepted password fully
 * significant. Throws {@link PasswordPolicyError} (400).
 */
export function assertHashablePassword(password: string): void {
  if (password.includes('\0')) {
    throw new PasswordPolicyError('The password must not contain a NUL character.');
  }
  if (LONE_SURROGATE.test(password)) {
    throw new PasswordPolicyError(
      'The password must be well-formed Unicode text (it contains a lone surrogate).',
    );
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new PasswordPolicyError(`The password must be at most ${MAX_PASSWORD_BYTES} bytes long.`);
  }
}
