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

/** A JSON value no account field takes apart: a string, number, boolean or `null`. */
function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/**
 * Whether a field's value has a form some account field takes: a primitive, or an array of
 * primitives (`roles`). Nested objects and arrays are refused before class-transformer, whose
 * recursion a body nested thousands deep would overflow (a 500).
 */
function isFlat(value: unknown): boolean {
  return Array.isArray(value) ? value.every(isPrimitive) : isPrimitive(value);
}

/**
 * Reads a body into a class-validator DTO, whitelisted by construction: only the DTO's own
 * fields are copied (never `__proto__` or anything else), then transformed and validated. A body
 * that is not a plain object (a JSON array, a string, nothing) is a 400 too: routing-controllers
 * 0.11 validates only class instances, so it is checked here. So is a field whose value is an
 * object or an array holding anything but strings, numbers, booleans and `null`: no account field
 * takes one, and deep nesting would overflow class-transformer.
 *
 * @throws {@link ValidationFailedError} (400 `validation_failed`) naming the failed constraints.
 */
export function readBody<T extends object>(type: new () => T, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationFailedError('The request body must be a JSON object.');
  }
  const plain: Record<string, unknown> = {};
  for (const field of fieldsOf(type)) {
    if (!Object.hasOwn(body, field)) continue;
    const value = (body as Record<string, unknown>)[field];
    if (!isFlat(value)) {
      throw new ValidationFailedError(
        `${field} must be a string, number, boolean or a list of them.`,
      );
    }
    plain[field] = value;
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
