import { Transform } from 'class-transformer';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import type { Request } from 'express';
import { Body, HttpCode, JsonController, Post, Req } from 'routing-controllers';
import { Service } from 'typedi';
import { QueryFailedError } from 'typeorm';
import { normalizeEmail } from '../auth';
import { contextOf } from '../context';
import { databaseCall } from '../database';
import { EmailTakenError, InvalidBodyError } from '../errors';
import { toPublicUser, type PublicUser } from '../user.entity';

/**
 * What `POST /auth/register` accepts. Validated with `whitelist`, so any other field (roles,
 * isActive, isVerified, ...) is dropped before the controller sees it.
 */
export class RegisterBody {
  /** A valid email address; stored lower-cased. */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeEmail(value) : value,
  )
  @IsEmail()
  @MaxLength(320)
  email!: string;

  /** At least 8 characters; the library's hashing policy also refuses > 72 bytes and NUL. */
  @IsString()
  @MinLength(8)
  password!: string;
}

/** A unique-constraint violation, as each of the three drivers reports it. */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code: unknown = (error.driverError as { code?: unknown }).code;
  return code === '23505' || code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Self-service sign-up. New accounts get role `user`, are active, and are not verified. */
@Service()
@JsonController('/auth')
export class RegisterController {
  /**
   * 201 with the new user (no hash); 400 on invalid input; 409 `email_taken` on a duplicate;
   * 503 `database_unavailable` when the database cannot be reached.
   */
  @Post('/register')
  @HttpCode(201)
  async register(
    @Body({ required: true, validate: { whitelist: true, forbidUnknownValues: true } })
    body: RegisterBody,
    @Req() req: Request,
  ): Promise<PublicUser> {
    // routing-controllers validates only class instances: a JSON array body skips validation.
    if (!(body instanceof RegisterBody)) throw new InvalidBodyError();
    const { users, auth } = contextOf(req);
    if (await databaseCall(() => users.existsBy({ email: body.email }))) {
      throw new EmailTakenError();
    }
    // The setup's configured hasher (bcryptCost, passwordConcurrency), not the standalone helper.
    const passwordHash = await auth.passwords.hash(body.password);
    const user = users.create({
      email: body.email,
      passwordHash,
      roles: ['user'],
      permissions: [],
      isActive: true,
      isVerified: false,
    });
    // Two sign-ups racing for one email: the unique index decides.
    const saved = await databaseCall(
      () => users.save(user),
      (error) => (isUniqueViolation(error) ? new EmailTakenError() : undefined),
    );
    return toPublicUser(saved);
  }
}
