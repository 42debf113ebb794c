export { LoginThrottle } from './login-throttle';
export type { ResolvedThrottleOptions, ThrottleOptions } from './options';
