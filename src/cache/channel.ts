import type { EntityManager } from 'typeorm';
import { encodeInvalidations, type Invalidation } from './events';

/** What a channel tells the cache it serves. */
export interface ChannelListener {
  /** Invalidations from any instance (this one included); `null` for an unreadable message. */
  received(events: readonly Invalidation[] | null): void;
  /** The channel is listening: from now on no event is missed. */
  up(): void;
  /** The channel stopped listening: events may be missed until the next `up`. */
  down(): void;
}

/**
 * @internal How invalidations reach every instance of a setup: PostgreSQL LISTEN/NOTIFY, Redis
 * pub/sub, or an in-process bus (SQLite).
 */
export interface InvalidationChannel {
  /** `"postgres"`, `"redis"` or `"local"`, for `auth.status()`. */
  readonly kind: 'postgres' | 'redis' | 'local';
  /** Starts listening (connects in the background; reports through the listener). */
  start(listener: ChannelListener): void;
  /**
   * Called inside the revoking transaction, just before it commits. PostgreSQL sends its NOTIFY
   * here, so it is delivered only if the revocation commits.
   */
  inTransaction(manager: EntityManager, events: readonly Invalidation[]): Promise<void>;
  /** Called after the revoking transaction (Redis and the local bus publish here). */
  publish(events: readonly Invalidation[]): Promise<void>;
  /** Stops listening and releases its connection. */
  close(): Promise<void>;
}

/**
 * Splits events into messages of at most `maxBytes` (PostgreSQL's NOTIFY payload must stay under
 * 8000 bytes). One event is always small (ids are bounded), so every message carries at least one.
 */
export function messagesOf(events: readonly Invalidation[], maxBytes: number): string[] {
  const messages: string[] = [];
  let batch: Invalidation[] = [];
  let bytes = 2; // the brackets
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event)) + (batch.length > 0 ? 1 : 0);
    if (batch.length > 0 && bytes + size > maxBytes) {
      messages.push(encodeInvalidations(batch));
      batch = [];
      bytes = 2;
    }
    bytes += Buffer.byteLength(JSON.stringify(event)) + (batch.length > 0 ? 1 : 0);
    batch.push(event);
  }
  if (batch.length > 0) messages.push(encodeInvalidations(batch));
  return messages;
}
