export { resolveAuthConfig, REGISTERED_CLAIMS } from './resolve';
export type { AuthEnv } from './resolve';
export { SUPPORTED_ALGORITHMS } from './keys';
export type {
  AuthOptions,
  CookieOptions,
  CsrfOptions,
  JwtAlgorithm,
  TokenLocation,
} from './options';
export type { ResolvedAuthConfig, ResolvedKeys } from './resolved';
