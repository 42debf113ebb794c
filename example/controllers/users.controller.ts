import { Get, JsonController } from 'routing-controllers';
import { CurrentUser } from 'routing-controllers-auth';
import { Service } from 'typedi';
import { toPublicUser, type PublicUser, User } from '../user.entity';

/** The signed-in user's own account. */
@Service()
@JsonController('/users')
export class UsersController {
  /** The current user, without the password hash. 401 without a valid access token. */
  @Get('/me')
  me(@CurrentUser() user: User): PublicUser {
    return toPublicUser(user);
  }
}
