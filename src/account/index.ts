export { AccountFlows } from './account-flows';
export { ACCOUNT_CONTROLLERS } from './availability';
export type {
  AccountController,
  AccountControllerNeeds,
  AccountRoutesStatus,
  MissingAccountRoutes,
  SetupWarningLogger,
} from './availability';
export { Background, logBackgroundError } from './background';
export type { BackgroundErrorLogger } from './background';
export {
  MeController,
  RegisterController,
  ResetPasswordController,
  UsersAdminController,
  VerifyController,
} from './controllers';
export type { PublicUser } from './controllers';
export {
  AdminUpdateBody,
  ChangePasswordBody,
  DeleteMeBody,
  EmailBody,
  MAX_ACCOUNT_TOKEN_LENGTH,
  MIN_PASSWORD_LENGTH,
  normalizeEmail,
  RegisterBody,
  ResetPasswordBody,
  TokenBody,
  UpdateMeBody,
} from './dto';
export {
  EmailTakenError,
  InvalidPasswordError,
  InvalidResetTokenError,
  InvalidVerifyTokenError,
  UserNotFoundError,
} from './errors';
export type { AccountMail, AccountMailKind, Mailer } from './mailer';
export { readBody, ValidationFailedError } from './read-body';
export type { RegisterOutcome } from './register';
export type { AccountBridgeMethod } from './support';
export { TypeOrmUserAuthentication } from './typeorm-users';
export type { TypeOrmUserOptions } from './typeorm-users';
export { AuthUser, AuthUserColumns, AuthUuidUser, emailKeyOf } from './user-entity';
