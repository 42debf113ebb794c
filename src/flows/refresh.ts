import { failClosed } from '../errors/fail-closed';
import type { TokenPair } from '../tokens/token-service';
import type { FlowDeps } from './deps';
import { assertUsable } from './user-state';

/**
 * Refresh: the refresh token is verified, its user must still be usable (the rule of
 * `assertUsable`: a deactivated or deleted user loses every session), then the token rotates —
 * the presented one dies as the new pair is born; replaying it revokes the session.
 */
export async function refresh<User>(
  deps: FlowDeps<User>,
  refreshToken: string,
): Promise<TokenPair> {
  const { users, tokens } = deps;
  const claims = tokens.verify(refreshToken, 'refresh');
  // Deactivated or deleted through the routes, the sessions are revoked already: token_revoked,
  // as the access token answers (pen test: the refresh token answered user_inactive).
  const user = await assertUsable(
    deps,
    await failClosed(() => users.getUserById(claims.sub)),
    claims.sub,
    undefined,
    () => tokens.assertStored(claims),
  );
  return tokens.refresh(refreshToken, {
    claims: await failClosed(() => users.getExtraClaims(user)),
  });
}
