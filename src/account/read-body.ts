import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { CodedAuthError } from '../errors/auth-error';

/** 400 `validation_failed`: a body that is not a JSON object, or a field of the wrong form. */
export class ValidationFailedError extends CodedAuthError {
  constructor(message: string) {
    super('validation_failed', message);
  }
}

function fieldsOf(type: new () => object): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}

/**
 * Reads a body into a class-validator DTO, whitelisted by construction: only the DTO's own
 * fields are copied (never `__proto__` or anything else), then transformed and validated. A body
 * that is not a plain object (a JSON array, a string, nothing) is a 400 too: routing-controllers
 * 0.11 validates only class instances, so it is checked here.
 *
 * @throws {@link ValidationFailedError} (400 `validation_failed`) naming the failed constraints.
 */
export function readBody<T extends object>(type: new () => T, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationFailedError('The request body must be a JSON object.');
  }
  const plain: Record<string, unknown> = {};
  for (const field of fieldsOf(type)) {
    if (Object.hasOwn(body, field)) plain[field] = (body as Record<string, unknown>)[field];
  }
  const instance = plainToInstance(type, plain);
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    const parts = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new ValidationFailedError(
      parts.length > 0 ? `${parts.join('; ')}.` : 'The request is invalid.',
    );
  }
  return instance;
}
