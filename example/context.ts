import type { Request } from 'express';
import { authFor, type AuthSetup } from 'routing-controllers-auth';
import type { DataSource, Repository } from 'typeorm';
import { ExampleAuth } from './auth';
import type { User } from './user.entity';

/** What the example's controllers work with, found from the request: no global container. */
export interface ExampleContext {
  /** The library's setup serving this request (tokens, flows, the configured hasher). */
  auth: AuthSetup<User>;
  /** The users table. */
  users: Repository<User>;
  /** The app's DataSource. */
  dataSource: DataSource;
}

/** The context of the app serving `req`: the setup its `serverOptions` were given. */
export function contextOf(req: Request): ExampleContext {
  const auth = authFor<User>(req);
  const bridge = auth.userAuthentication;
  if (!(bridge instanceof ExampleAuth)) throw new TypeError('the example runs with ExampleAuth');
  return { auth, users: bridge.users, dataSource: bridge.users.manager.dataSource };
}
