export { createValidationCache } from './create';
export { decodeInvalidations, encodeInvalidations } from './events';
export type { Invalidation } from './events';
export type {
  InvalidationRedis,
  InvalidationRedisOverride,
  InvalidationRedisSubscriber,
  ResolvedValidationCacheOptions,
  ValidationCacheOptions,
} from './options';
export { ValidationCache } from './validation-cache';
export type { ValidationCacheStats } from './validation-cache';
