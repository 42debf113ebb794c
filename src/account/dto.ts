import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { MAX_IDENTIFIER_LENGTH } from '../flows/credentials';

/** Longest single-use token accepted (the library's are about 400 characters). */
export const MAX_ACCOUNT_TOKEN_LENGTH = 4096;

/** Shortest new password the account routes accept. */
export const MIN_PASSWORD_LENGTH = 8;

/** Addresses are compared trimmed and lower-cased: at registration, lookup and change alike. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const normalized = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' ? normalizeEmail(value) : value,
);

/**
 * Neither control characters (CR, LF, NUL, …) nor U+2028/U+2029 nor `"` (a quoted local part, the
 * only place an address may hold one): RFC 5322 allows them in quoted strings, and they carry a
 * header injection (`"x\r\nBcc: …"@example.com`) into a mailer.
 */
const SAFE_ADDRESS = /^[^\p{Cc}\u2028\u2029"]*$/u;

/** An address field: trimmed and lower-cased, a valid address, ≤ 320 characters, nothing unsafe. */
function emailField(): PropertyDecorator {
  const decorators = [
    normalized,
    IsEmail(),
    MaxLength(MAX_IDENTIFIER_LENGTH),
    Matches(SAFE_ADDRESS, {
      message: 'email must not hold control characters, line separators or a quoted local part',
    }),
  ];
  return (target, key) => {
    for (const decorate of decorators) decorate(target, key);
  };
}

/** `POST /auth/register`. Any other field (roles, isActive, …) is dropped. */
export class RegisterBody {
  /** A valid address of at most 320 characters; stored trimmed and lower-cased. */
  @emailField()
  email!: string;

  /** At least 8 characters, inside the hashing policy (≤ 72 UTF-8 bytes, no NUL). */
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  password!: string;
}

/** `POST /auth/request-verify-token` and `POST /auth/forgot-password`. */
export class EmailBody {
  /** The address to mail. */
  @emailField()
  email!: string;
}

/** `POST /auth/verify`. */
export class TokenBody {
  /** The verify token from the mail. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_ACCOUNT_TOKEN_LENGTH)
  token!: string;
}

/** `POST /auth/reset-password`. */
export class ResetPasswordBody extends TokenBody {
  /** The new password: at least 8 characters, inside the hashing policy. */
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  password!: string;
}

/** `POST /users/me/password`: the two names DESIGN.md fixes in snake_case. */
export class ChangePasswordBody {
  /** The password in use now. */
  @IsString()
  @IsNotEmpty()
  current_password!: string;

  /** The new password: at least 8 characters, inside the hashing policy. */
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  new_password!: string;
}

/** `DELETE /users/me`. */
export class DeleteMeBody {
  /** The password in use now. */
  @IsString()
  @IsNotEmpty()
  password!: string;
}

/** `PATCH /users/me`: only the address; privileged fields are dropped. */
export class UpdateMeBody {
  /** A new address; changing it drops the verified flag. */
  @IsOptional()
  @emailField()
  email?: string;
}

/** `PATCH /users/:id` (permission `users:write`). */
export class AdminUpdateBody extends UpdateMeBody {
  /** Activate or deactivate; deactivation kills the user's tokens at once. */
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;

  /** Mark verified or not. */
  @IsOptional()
  @IsBoolean()
  isVerified?: boolean;

  /** Replace the roles. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(64, { each: true })
  roles?: string[];
}
