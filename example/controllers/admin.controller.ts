import { Authorized, Delete, Get, JsonController, OnUndefined, Param } from 'routing-controllers';
import { permission, TokenService } from 'routing-controllers-auth';
import { Service } from 'typedi';
import { DataSource } from 'typeorm';
import { databaseCall } from '../database';
import { InvalidUserIdError, UserNotFoundError } from '../errors';
import { parseUserId } from '../user-id';
import { toPublicUser, type PublicUser, User } from '../user.entity';

/** User administration: listing needs role `admin`, deleting needs permission `users:delete`. */
@Service()
@JsonController('/admin/users')
export class AdminController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
  ) {}

  /** Every user, without hashes, by id. 403 for non-admins. */
  @Get()
  @Authorized(['admin'])
  async list(): Promise<PublicUser[]> {
    const repository = this.dataSource.getRepository(User);
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
  async remove(@Param('id') rawId: string): Promise<void> {
    const id = parseUserId(rawId);
    if (id === null) throw new InvalidUserIdError();
    const users = this.dataSource.getRepository(User);
    if (!(await databaseCall(() => users.existsBy({ id })))) throw new UserNotFoundError();
    await databaseCall(() => users.delete({ id }));
    await this.tokens.revokeAllForUser(id);
  }
}
