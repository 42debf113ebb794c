import { IsNull, LessThan, MoreThan, type EntityManager } from 'typeorm';
import type { Rotation, RotationOutcome } from './port';
import { claimsColumn, deleteTokens, insertTokens } from './rows';
import { AuthSessionEntity } from './session.entity';
import { AuthTokenEntity } from './token.entity';
import { commit, rollback, type Decision } from './transaction';

/**
 * One rotation inside a transaction. Two conditional UPDATEs decide it, each by primary key: the
 * old refresh row (still live?) and the session (still live, still at `fromGeneration`?). Of
 * concurrent rotations of one token the database lets exactly one UPDATE through on every engine;
 * a refusal rolls back, nothing half-done stays. Then the successor's rows go in and rows older
 * than `fromGeneration` go out (by primary key, so MariaDB takes no gap locks), which bounds a
 * session to two generations of rows however often it rotates.
 */
export async function rotateIn(
  manager: EntityManager,
  rotation: Rotation,
): Promise<Decision<RotationOutcome>> {
  const { jti, sessionId, fromGeneration, now } = rotation;
  const used = await manager.update(
    AuthTokenEntity,
    { jti, type: 'refresh', revokedAt: IsNull(), expiresAt: MoreThan(now) },
    { revokedAt: now, replacedBy: rotation.refreshJti },
  );
  if (used.affected !== 1) return rollback('token-not-live');
  const moved = await manager.update(
    AuthSessionEntity,
    { id: sessionId, revokedAt: IsNull(), expiresAt: MoreThan(now), generation: fromGeneration },
    {
      generation: fromGeneration + 1,
      refreshJti: rotation.refreshJti,
      accessJti: rotation.accessJti,
      claims: claimsColumn(rotation.claims),
      lastUsedAt: now,
    },
  );
  if (moved.affected !== 1) return rollback('session-changed');
  await insertTokens(manager, rotation.tokens);
  const old = await manager.find(AuthTokenEntity, {
    select: { jti: true },
    where: { sessionId, generation: LessThan(fromGeneration) },
  });
  await deleteTokens(
    manager,
    old.map((row) => row.jti),
  );
  return commit('rotated');
}
