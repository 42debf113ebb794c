export { DEFAULT_BCRYPT_COST, hashPassword, needsRehash, verifyPassword } from './bcrypt';
export { PasswordHasher } from './hasher';
export { ConcurrencyLimiter, defaultHashConcurrency } from './limiter';
export { assertHashablePassword, MAX_PASSWORD_BYTES } from './policy';
