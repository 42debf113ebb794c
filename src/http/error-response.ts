import { STATUS_CODES } from 'node:http';
import { HttpError } from 'routing-controllers';
import { AuthError, type AuthErrorBody } from '../errors/auth-error';
import { InsufficientScopeError, MissingCredentialsError } from '../errors/http-errors';

/** An error turned into what goes on the wire. */
export interface ErrorResponse {
  /** HTTP status. */
  status: number;
  /** `{ name, code, message }`. */
  body: AuthErrorBody;
  /** Extra headers (`WWW-Authenticate`, `Retry-After`, `Cache-Control`). */
  headers: Record<string, string>;
}

interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const e = error as Partial<BodyParserError> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.type === 'string' &&
    typeof e.status === 'number'
  );
}

/**
 * body-parser hands a stream failure it has no `type` for (e.g. a `Content-Encoding: gzip` body
 * that does not inflate) to `http-errors` as a plain, exposed 400.
 */
function isUnreadableBody(error: unknown): boolean {
  const e = error as { status?: unknown; expose?: unknown } | null;
  return typeof e === 'object' && e !== null && e.status === 400 && e.expose === true;
}

/** A 4xx that Express or its helpers attach to an error (`status` / `statusCode`), if any. */
function clientErrorStatus(error: unknown): number | undefined {
  const e = error as { status?: unknown; statusCode?: unknown } | null;
  if (typeof e !== 'object' || e === null) return undefined;
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500
    ? status
    : undefined;
}

const BODY_ERRORS: Record<string, [number, string, string]> = {
  // body-parser's strict JSON: malformed text, and also a valid `null`, number or string.
  'entity.parse.failed': [
    400,
    'invalid_request',
    'The request body must be valid JSON: an object or an array.',
  ],
  'entity.too.large': [413, 'payload_too_large', 'The request body is too large.'],
  'entity.verify.failed': [400, 'invalid_request', 'The request body was refused.'],
  'request.aborted': [400, 'invalid_request', 'The request was aborted.'],
  'request.size.invalid': [400, 'invalid_request', 'The request body size is invalid.'],
  'charset.unsupported': [415, 'unsupported_media_type', 'The request charset is not supported.'],
  'encoding.unsupported': [415, 'unsupported_media_type', 'The request encoding is not supported.'],
  'parameters.too.many': [413, 'payload_too_large', 'The request has too many parameters.'],
};

/**
 * The name answered with a code no error class raised: the code in PascalCase, so a malformed JSON
 * body answers `InvalidRequestError` like every other `invalid_request` (and a 413 is never
 * named after a 400).
 */
function nameOfCode(code: string): string {
  return `${code.replace(/(?:^|_)([a-z])/g, (_m, c: string) => c.toUpperCase())}Error`;
}

function snake(name: string): string {
  return name
    .replace(/Error$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

function fromAuthError(error: AuthError): ErrorResponse {
  return { status: error.status, body: error.toJSON(), headers: error.headers() };
}

function validationMessage(errors: unknown): string {
  if (!Array.isArray(errors)) return 'The request is invalid.';
  const parts: string[] = [];
  for (const item of errors as { property?: unknown; constraints?: Record<string, unknown> }[]) {
    const constraints = Object.values(item.constraints ?? {}).filter((c) => typeof c === 'string');
    parts.push(...(constraints.length > 0 ? constraints : [`${String(item.property)} is invalid`]));
  }
  return parts.length > 0 ? `${parts.join('; ')}.` : 'The request is invalid.';
}

/**
 * Maps any error to a safe response: the library's errors keep their status, code and
 * challenge; routing-controllers' `AuthorizationRequiredError` / `AccessDeniedError` become the
 * library's 401 / 403; validation errors become 400 `validation_failed`; body-parser failures
 * become 400 / 413 / 415; other `HttpError`s keep their status; anything else is a 500 that says
 * nothing about its cause.
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof AuthError) return fromAuthError(error);
  if (error instanceof HttpError) {
    if (error.name === 'AuthorizationRequiredError')
      return fromAuthError(new MissingCredentialsError());
    if (error.name === 'AccessDeniedError') return fromAuthError(new InsufficientScopeError());
    const errors = (error as { errors?: unknown }).errors;
    if (error.httpCode === 400 && Array.isArray(errors)) {
      return {
        status: 400,
        body: {
          name: 'ValidationError',
          code: 'validation_failed',
          message: validationMessage(errors),
        },
        headers: {},
      };
    }
    if (error.httpCode >= 400 && error.httpCode < 500) {
      // routing-controllers' HttpError resets the prototype of subclasses that do not set it back,
      // so `class ConflictError extends HttpError` arrives as a bare HttpError named "Error": its
      // code then comes from the status (409 → `conflict`). Extend AuthError for codes of your own.
      const named = error.name !== 'Error' ? error.name : error.constructor.name;
      const generic = named === 'HttpError' || named === 'Error';
      const name = generic ? 'HttpError' : named;
      const statusCode = snake((STATUS_CODES[error.httpCode] ?? '').replace(/\W+/g, ''));
      const code = generic ? statusCode : snake(name) || statusCode;
      return {
        status: error.httpCode,
        body: { name, code: code || `http_${error.httpCode}`, message: error.message },
        headers: {},
      };
    }
  }
  if (isBodyParserError(error)) {
    const known = BODY_ERRORS[error.type];
    if (known !== undefined) {
      const [status, code, message] = known;
      return { status, body: { name: nameOfCode(code), code, message }, headers: {} };
    }
  }
  if (isUnreadableBody(error)) {
    return {
      status: 400,
      body: {
        name: nameOfCode('invalid_request'),
        code: 'invalid_request',
        message: 'The request body could not be read.',
      },
      headers: {},
    };
  }
  const clientError = clientErrorStatus(error);
  if (clientError !== undefined) {
    // Express's router (a path parameter that does not decode), serve-static / send (a range it
    // cannot satisfy, a failed precondition) and other http-errors users: the client's fault, so
    // its 4xx with a code from the status — never the message, which may echo the path.
    const phrase = STATUS_CODES[clientError] ?? 'Bad Request';
    const code = clientError === 400 ? 'invalid_request' : snake(phrase.replace(/\W+/g, ''));
    return {
      status: clientError,
      body: { name: nameOfCode(code), code, message: `${phrase}.` },
      headers: {},
    };
  }
  return {
    status: 500,
    body: {
      name: 'InternalServerError',
      code: 'internal_error',
      message: 'Internal server error.',
    },
    headers: {},
  };
}
