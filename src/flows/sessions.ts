import { SessionNotFoundError } from '../errors/http-errors';
import type { TokenClaims } from '../tokens/claims';
import { isCanonicalId } from '../tokens/jwt';
import type { SessionInfo } from '../tokens/token-service';
import type { FlowDeps } from './deps';

/** A live session of the caller, as the session list shows it. */
export interface CallerSession extends SessionInfo {
  /** Whether this is the session of the token that asked. */
  current: boolean;
}

/** Logout: both tokens of the caller's session (and any other of it) die. */
export async function logout(deps: FlowDeps, claims: TokenClaims): Promise<void> {
  await deps.tokens.revokeSession(claims.sid, claims.sub);
}

/** Logout everywhere: every session of the caller dies. */
export async function logoutAll(deps: FlowDeps, claims: TokenClaims): Promise<void> {
  await deps.tokens.revokeAllForUser(claims.sub);
}

/** The caller's live sessions, newest first, the current one marked. */
export async function listSessions(deps: FlowDeps, claims: TokenClaims): Promise<CallerSession[]> {
  const sessions = await deps.tokens.listSessions(claims.sub);
  return sessions.map((s) => ({ ...s, current: s.id === claims.sid }));
}

/** Longest session id looked up (ids are UUIDs). */
const MAX_SESSION_ID = 64;

/**
 * Revokes one of the caller's own live sessions by id ("sign out that device"). Someone else's
 * session, an unknown, dead or malformed id: 404 `session_not_found`, the same for all, so ids
 * of other users cannot be probed.
 */
export async function revokeOwnSession(
  deps: FlowDeps,
  claims: TokenClaims,
  sessionId: unknown,
): Promise<void> {
  // Session ids are lower-case UUIDs: anything else is no session, decided before any query (a
  // NUL would make PostgreSQL fail; a case-folding collation would match another spelling).
  if (
    typeof sessionId !== 'string' ||
    sessionId.length > MAX_SESSION_ID ||
    !isCanonicalId(sessionId)
  ) {
    throw new SessionNotFoundError();
  }
  if (!(await deps.tokens.revokeSession(sessionId, claims.sub))) throw new SessionNotFoundError();
}
