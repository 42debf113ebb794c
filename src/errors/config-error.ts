/**
 * A configuration mistake, raised at setup (never an HTTP answer): names the offending key and
 * the fix. Distinct from {@link AuthError} so it can never be mistaken for a client's fault.
 *
 * @example
 * ```ts
 * try { resolveAuthConfig({ secretKey: 'short' }); }
 * catch (e) { if (e instanceof AuthConfigError) console.error(e.key, e.message); }
 * ```
 */
export class AuthConfigError extends Error {
  /** Always `"auth_config"`. */
  readonly code = 'auth_config';
  /** The option (or environment variable) at fault, e.g. `"secretKey"`. */
  readonly key: string;

  constructor(key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'AuthConfigError';
    this.key = key;
  }
}
