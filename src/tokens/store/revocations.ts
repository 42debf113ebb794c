import type { EntityManager } from 'typeorm';
import type { Invalidation } from '../../cache/events';

/**
 * @internal What the TypeORM store tells about each revocation it commits (logout, rotation,
 * reuse, a user's sessions, an evicted session, a purge): the validation cache listens, and
 * publishes on its invalidation channel. Every path that revokes goes through the store, so
 * none is missed.
 */
export interface RevocationHook {
  /** Inside the revoking transaction, just before its commit (PostgreSQL's NOTIFY goes here). */
  inTransaction(manager: EntityManager, events: readonly Invalidation[]): Promise<void>;
  /**
   * After the transaction: the revocation committed, or its outcome is unknown (the commit
   * failed), in which case dropping cached entries is the safe side.
   */
  revoked(events: readonly Invalidation[]): Promise<void>;
}
