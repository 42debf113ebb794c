import { expect } from 'vitest';
import { AuthConfigError } from '../../src';

/** Runs `fn`, expecting an AuthConfigError; returns it so the test can check `key` and message. */
export function configError(fn: () => unknown): AuthConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    return error as AuthConfigError;
  }
  throw new Error('expected an AuthConfigError, nothing was thrown');
}
