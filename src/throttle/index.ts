export { foldIdentifier } from './keys';
export { LoginThrottle } from './login-throttle';
export type { LoginAttempt, ThrottleMemoryEntries } from './login-throttle';
export { BoundedMemoryLimiter } from './memory-limiter';
export type { BoundedMemoryOptions } from './memory-limiter';
export type { ResolvedThrottleOptions, ThrottleOptions } from './options';
