import { AuthError } from 'routing-controllers-auth';

/** 400 `invalid_user_id`: a user id in the path that is not a positive integer. */
export class InvalidUserIdError extends AuthError {
  constructor() {
    super(400, 'invalid_user_id', 'The user id must be a positive integer.');
  }
}

/** 404 `user_not_found`: no user has this id. */
export class UserNotFoundError extends AuthError {
  constructor() {
    super(404, 'user_not_found', 'No user has this id.');
  }
}

/** 503 `database_unavailable`: a route of the example could not reach the database. */
export class DatabaseUnavailableError extends AuthError {
  constructor(options?: { cause?: unknown }) {
    super(503, 'database_unavailable', 'The database is unavailable.', options);
  }
}
