import type { Request } from 'express';
import {
  Authorized,
  Delete,
  Get,
  JsonController,
  OnUndefined,
  Param,
  Req,
} from 'routing-controllers';
import { permission } from 'routing-controllers-auth';
import { Service } from 'typedi';
import { contextOf } from '../context';
import { databaseCall } from '../database';
import { InvalidUserIdError, UserNotFoundError } from '../errors';
import { parseUserId } from '../user-id';
import { toPublicUser, type PublicUser } from '../user.entity';

/** User administration: listing needs role `admin`, deleting needs permission `users:delete`. */
@Service()
@JsonController('/admin/users')
export class AdminController {
  /** Every user, without hashes, by id. 403 for non-admins. */
  @Get()
  @Authorized(['admin'])
  async list(@Req() req: Request): Promise<PublicUser[]> {
    const repository = contextOf(req).users;
    const users = await databaseCall(() => repository.find({ order: { id: 'ASC' } }));
    return users.map(toPublicUser);
  }

  /**
   * Deletes a user and revokes all of their sessions. 204; 400 `invalid_user_id` for an id that is
   * not a positive integer; 404 `user_not_found`.
   */
  @Delete('/:id')
  @Authorized([permission('users:delete')])
  @OnUndefined(204)
  async remove(@Param('id') rawId: string, @Req() req: Request): Promise<void> {
    const id = parseUserId(rawId);
    if (id === null) throw new InvalidUserIdError();
    const { users, auth } = contextOf(req);
    if (!(await databaseCall(() => users.existsBy({ id })))) throw new UserNotFoundError();
    await databaseCall(() => users.delete({ id }));
    await auth.tokens.revokeAllForUser(id);
  }
}
