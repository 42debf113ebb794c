import type { AccessRequirements } from '../authz/authorizer';
import type { TokenClaims } from '../tokens/claims';
import type { TokenPair } from '../tokens/token-service';
import { authorize } from './authorize';
import type { ClientInfo, FlowDeps } from './deps';
import { identify, type AuthContext } from './identify';
import { login } from './login';
import { refresh } from './refresh';
import { listSessions, logout, logoutAll, revokeOwnSession, type CallerSession } from './sessions';

/**
 * The auth flows of one setup, apart from HTTP: what the ready-made `AuthController` runs, for
 * controllers of your own (`auth.flows`, or `authFor(request).flows` inside a request). Each
 * method is a small module in `src/flows`; controllers only translate HTTP to these calls.
 *
 * @typeParam User - your user type.
 * @example
 * ```ts
 * @Post('/signin')
 * async signIn(@Body() body: unknown, @Req() req: Request) {
 *   const pair = await auth.flows.login(body, { ip: req.ip, userAgent: req.get('user-agent') });
 *   return { token: pair.accessToken };
 * }
 * ```
 */
export class AuthFlows<User = unknown> {
  /** @internal Built by `setupAuth`; take it from `auth.flows`. */
  constructor(private readonly deps: FlowDeps<User>) {}

  /**
   * Checks credentials (`{ email | username, password }`, shape-checked before any query) under
   * the throttle, runs the bridge's `onCredentialsAccepted` hook, and starts a session.
   */
  login(credentials: unknown, client: ClientInfo = {}): Promise<TokenPair> {
    return login(this.deps, credentials, client);
  }

  /** Rotates a refresh token into a new pair (the user must still be usable). */
  refresh(refreshToken: string): Promise<TokenPair> {
    return refresh(this.deps, refreshToken);
  }

  /** Validates an access token against the store and loads its user. */
  identify(accessToken: string): Promise<AuthContext<User>> {
    return identify(this.deps, accessToken);
  }

  /** Checks an identity against requirements (roles, permissions, active, verified); returns the user. */
  authorize(context: AuthContext<User> | null, requirements?: AccessRequirements): Promise<User> {
    return authorize(this.deps, context, requirements);
  }

  /** Revokes the session of verified claims (access or refresh). */
  logout(claims: TokenClaims): Promise<void> {
    return logout(this.deps, claims);
  }

  /** Revokes every session of the claims' user. */
  logoutAll(claims: TokenClaims): Promise<void> {
    return logoutAll(this.deps, claims);
  }

  /** The caller's live sessions, newest first, the current one marked. */
  sessions(claims: TokenClaims): Promise<CallerSession[]> {
    return listSessions(this.deps, claims);
  }

  /** Revokes one of the caller's own sessions; 404 `session_not_found` for any other id. */
  revokeSession(claims: TokenClaims, sessionId: string): Promise<void> {
    return revokeOwnSession(this.deps, claims, sessionId);
  }
}
