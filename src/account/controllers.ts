import type { Request, Response } from 'express';
import {
  Authorized,
  Body,
  Delete,
  Get,
  HttpCode,
  JsonController,
  OnUndefined,
  Param,
  Patch,
  Post,
  Req,
  Res,
} from 'routing-controllers';
import { Service } from 'typedi';
import { permission } from '../authz/requirements';
import { clientOf, noStore } from '../controllers/wire';
import { runtimeOf } from '../http/binding';
import { AccessToken } from '../http/decorators/access-token';
import { CurrentUser } from '../http/decorators/current-user';
import type { AccessClaims } from '../tokens/claims';

/** Account bodies are small: an address, a password, a token. */
const BODY = { required: false, options: { limit: '16kb' } } as const;

/** A user as the account routes answer it: `toPublicUser(user)` of the bridge (no hash). */
export type PublicUser = Record<string, unknown>;

function account(req: Request) {
  return runtimeOf(req).account;
}

/** Awaits a flow that answers nothing: the route's `@OnUndefined` status goes out, no body. */
async function noBody(flow: Promise<void>): Promise<undefined> {
  await flow;
  return undefined;
}

/**
 * `POST /auth/register` — `{ email, password }` → 201 user; an address already registered (any
 * case) → 409 `email_taken`; with `enumerationSafeRegistration`, 202 with no body either way.
 * Needs the bridge's `findByEmail` and `createUser`.
 */
@JsonController('/auth')
@Service()
export class RegisterController {
  /** Registers an active, unverified user; role, permission, active and verified fields are ignored. */
  @Post('/register')
  @HttpCode(201)
  @OnUndefined(202)
  async register(@Body(BODY) body: unknown, @Req() req: Request): Promise<PublicUser | undefined> {
    // Enumeration-safe mode answers the flow's `null` as 202 with an empty body, like the other
    // 202s (`@OnNull` would send the JSON text `null`).
    return (await account(req).register(body, clientOf(req))) ?? undefined;
  }
}

/**
 * `POST /auth/request-verify-token` (202, the same for every address) and `POST /auth/verify`
 * (200 user). Needs the bridge's `findByEmail` and `updateUser`.
 */
@JsonController('/auth')
@Service()
export class VerifyController {
  /** `{ email }` → 202; a registered, active, unverified address is mailed a verify token. */
  @Post('/request-verify-token')
  @OnUndefined(202)
  requestVerifyToken(@Body(BODY) body: unknown, @Req() req: Request): Promise<undefined> {
    return noBody(account(req).requestVerify(body, clientOf(req)));
  }

  /** `{ token }` → 200 user, now verified; a bad token → 400 `invalid_verify_token`. */
  @Post('/verify')
  @HttpCode(200)
  verify(@Body(BODY) body: unknown, @Req() req: Request): Promise<PublicUser> {
    return account(req).verify(body);
  }
}

/**
 * `POST /auth/forgot-password` (202, the same for every address) and `POST /auth/reset-password`
 * (204). Needs the bridge's `findByEmail` and `updateUser`.
 */
@JsonController('/auth')
@Service()
export class ResetPasswordController {
  /** `{ email }` → 202; a registered, active address is mailed a reset token. */
  @Post('/forgot-password')
  @OnUndefined(202)
  forgotPassword(@Body(BODY) body: unknown, @Req() req: Request): Promise<undefined> {
    return noBody(account(req).forgotPassword(body, clientOf(req)));
  }

  /** `{ token, password }` → 204, every session of the user revoked; bad token → 400 `invalid_reset_token`. */
  @Post('/reset-password')
  @OnUndefined(204)
  resetPassword(@Body(BODY) body: unknown, @Req() req: Request): Promise<undefined> {
    return noBody(account(req).resetPassword(body, clientOf(req)));
  }
}

/**
 * The signed-in user's own account: `GET /users/me`, `PATCH /users/me`, `DELETE /users/me`,
 * `POST /users/me/password`. Needs the bridge's `updateUser` and `deleteUser`. Mount it before
 * {@link UsersAdminController} (as `auth.accountControllers` lists them), so `/users/me` is not
 * taken for an id.
 */
@JsonController('/users/me')
@Service()
export class MeController {
  /** The current user (`toPublicUser`: no hash). */
  @Get()
  me(@CurrentUser() user: unknown, @Req() req: Request, @Res() res: Response): Promise<PublicUser> {
    noStore(res);
    return account(req).me(user);
  }

  /** `{ email? }` → 200 user; a changed address drops the verified flag; privileged fields are ignored. */
  @Patch()
  update(
    @CurrentUser() user: unknown,
    @AccessToken() claims: AccessClaims,
    @Body(BODY) body: unknown,
    @Req() req: Request,
  ): Promise<PublicUser> {
    return account(req).updateMe(claims, user, body);
  }

  /** `{ password }` → 204, every token of the user dead; wrong password → 400 `invalid_password`. */
  @Delete()
  @OnUndefined(204)
  remove(
    @CurrentUser() user: unknown,
    @Body(BODY) body: unknown,
    @Req() req: Request,
  ): Promise<undefined> {
    return noBody(account(req).deleteMe(user, body, clientOf(req)));
  }

  /**
   * `{ current_password, new_password }` → 204: every other session revoked, this one keeps its
   * tokens; wrong current password → 400 `invalid_password` (never 401).
   */
  @Post('/password')
  @OnUndefined(204)
  changePassword(
    @CurrentUser() user: unknown,
    @AccessToken() claims: AccessClaims,
    @Body(BODY) body: unknown,
    @Req() req: Request,
  ): Promise<undefined> {
    return noBody(account(req).changePassword(claims, user, body, clientOf(req)));
  }
}

/**
 * Users by id, behind permissions: `GET /users/:id` (`users:read`), `PATCH /users/:id`
 * (`users:write`), `DELETE /users/:id` (`users:delete`). Unknown or malformed id → 404
 * `user_not_found`. Needs the bridge's `updateUser` and `deleteUser`.
 */
@JsonController('/users')
@Service()
export class UsersAdminController {
  /** 200 user. */
  @Get('/:id')
  @Authorized([permission('users:read')])
  get(@Param('id') id: string, @Req() req: Request): Promise<PublicUser> {
    return account(req).getUser(id);
  }

  /** `{ email?, isActive?, isVerified?, roles? }` → 200 user; deactivation kills the user's tokens at once. */
  @Patch('/:id')
  @Authorized([permission('users:write')])
  update(
    @Param('id') id: string,
    @Body(BODY) body: unknown,
    @Req() req: Request,
  ): Promise<PublicUser> {
    return account(req).updateUser(id, body);
  }

  /** 204; every token of the user dead. */
  @Delete('/:id')
  @Authorized([permission('users:delete')])
  @OnUndefined(204)
  remove(@Param('id') id: string, @Req() req: Request): Promise<undefined> {
    return noBody(account(req).deleteUser(id));
  }
}
