export { DEFAULT_BCRYPT_COST, hashPassword, needsRehash, verifyPassword } from './bcrypt';
export { PasswordHasher } from './hasher';
export type { PasswordHasherStats } from './hasher';
export { ConcurrencyLimiter, defaultHashConcurrency, defaultHashQueueLimit } from './limiter';
export { assertHashablePassword, MAX_PASSWORD_BYTES } from './policy';
