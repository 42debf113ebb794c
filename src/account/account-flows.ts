import type { ClientInfo, FlowDeps } from '../flows/deps';
import type { TokenClaims } from '../tokens/claims';
import { changePassword, deleteMe, updateMe } from './me';
import { register, type RegisterOutcome } from './register';
import { forgotPassword, resetPassword } from './reset';
import { deleteUser, getUser, updateUser } from './users-admin';
import { requestVerify, verify } from './verify';

/**
 * The account flows of one setup, apart from HTTP (`auth.account`): what the ready-made account
 * controllers run, for controllers of your own. Bodies are read into whitelisting class-validator
 * DTOs; every bad form of a field is a 400 with a code.
 *
 * @typeParam User - your user type.
 * @example
 * ```ts
 * @Post('/signup')
 * signUp(@Body() body: unknown, @Req() req: Request) {
 *   return authFor<User>(req).account.register(body, clientOf(req));
 * }
 * ```
 */
export class AccountFlows<User = unknown> {
  /** @internal Built by `setupAuth`; take it from `auth.account`. */
  constructor(private readonly deps: FlowDeps<User>) {}

  /** `{ email, password }` → the new user; 409 `email_taken` (or `null` in enumeration-safe mode). */
  register(body: unknown, client: ClientInfo = {}): Promise<RegisterOutcome> {
    return register(this.deps, body, client);
  }

  /** `{ email }` → mails a verify token off the request path; the same answer for every address. */
  requestVerify(body: unknown, client: ClientInfo = {}): Promise<void> {
    return requestVerify(this.deps, body, client);
  }

  /** `{ token }` → the user, now verified; a bad token → 400 `invalid_verify_token`. */
  verify(body: unknown): Promise<Record<string, unknown>> {
    return verify(this.deps, body);
  }

  /** `{ email }` → mails a reset token off the request path; the same answer for every address. */
  forgotPassword(body: unknown, client: ClientInfo = {}): Promise<void> {
    return forgotPassword(this.deps, body, client);
  }

  /** `{ token, password }` → password changed, every session revoked; bad token → 400 `invalid_reset_token`. */
  resetPassword(body: unknown, client: ClientInfo = {}): Promise<void> {
    return resetPassword(this.deps, body, client);
  }

  /** `{ current_password, new_password }` → every other session revoked; wrong current → 400 `invalid_password`. */
  changePassword(
    claims: TokenClaims,
    user: User,
    body: unknown,
    client: ClientInfo = {},
  ): Promise<void> {
    return changePassword(this.deps, claims, user, body, client);
  }

  /** The user's public form (`toPublicUser`). */
  me(user: User): Promise<Record<string, unknown>> {
    return Promise.resolve(this.deps.users.toPublicUser(user));
  }

  /** `{ email? }` → the updated user; a new address drops the verified flag and is mailed a verify token. */
  updateMe(claims: TokenClaims, user: User, body: unknown): Promise<Record<string, unknown>> {
    return updateMe(this.deps, claims, user, body);
  }

  /** `{ password }` → the user deleted, every token dead; wrong password → 400 `invalid_password`. */
  deleteMe(user: User, body: unknown, client: ClientInfo = {}): Promise<void> {
    return deleteMe(this.deps, user, body, client);
  }

  /** A user by id; unknown or malformed → 404 `user_not_found`. */
  getUser(id: unknown): Promise<Record<string, unknown>> {
    return getUser(this.deps, id);
  }

  /**
   * `{ email?, isActive?, isVerified?, roles? }` by id; deactivation or a new address kills the
   * user's tokens.
   */
  updateUser(id: unknown, body: unknown): Promise<Record<string, unknown>> {
    return updateUser(this.deps, id, body);
  }

  /** Deletes a user by id; every token dead. */
  deleteUser(id: unknown): Promise<void> {
    return deleteUser(this.deps, id);
  }

  /** Resolves once the mail and hooks started so far have run (tests, graceful shutdown). */
  idle(): Promise<void> {
    return this.deps.background.idle();
  }
}
