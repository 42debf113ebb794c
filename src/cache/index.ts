export { createValidationCache } from './create';
export { decodeInvalidations, encodeInvalidations } from './events';
export type { Invalidation } from './events';
export type {
  InvalidationRedis,
  InvalidationRedisSubscriber,
  ResolvedValidationCacheOptions,
  ValidationCacheOptions,
} from './options';
export { ValidationCache } from './validation-cache';
export type { ValidationCacheStats } from './validation-cache';
