import type { DataSource } from 'typeorm';
import type { ResolvedAuthConfig } from '../config/resolved';
import { TokenStore } from '../tokens/store/token-store';
import { TokenService } from '../tokens/token-service';
import type { ValidationCache } from './validation-cache';

/**
 * @internal The token service of a setup with the validation cache: its TypeORM store announces
 * every committed revocation to the cache (which publishes it on its channel), and validations
 * consult the cache. The only way a cache gets attached, so no store can revoke unheard.
 */
export function withValidationCache(
  dataSource: DataSource,
  config: ResolvedAuthConfig,
  cache: ValidationCache | null,
): TokenService {
  if (cache === null) return new TokenService(dataSource, config);
  const tokens = new TokenService(new TokenStore(dataSource, { revocations: cache }), config);
  tokens.validationCache = cache;
  return tokens;
}
