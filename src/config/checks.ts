import { KeyObject } from 'node:crypto';
import { AuthConfigError } from '../errors/config-error';

/** @internal Reads one environment variable into a raw option value (`undefined`: unset). */
export type EnvParser = (raw: string, name: string) => unknown;
/** @internal Validates one option value (already merged), returning it in its resolved form. */
export type Check = (
  value: unknown,
  key: string,
  context: { readonly env: Readonly<Record<string, string | undefined>> },
) => unknown;

const describe = (value: unknown): string =>
  typeof value === 'string' ? `"${value}"` : Array.isArray(value) ? 'an array' : typeof value;

/** Env parsers. */
export const env = {
  string: (raw: string): unknown => (raw === '' ? undefined : raw),
  number: (raw: string, name: string): unknown => {
    if (raw.trim() === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new AuthConfigError(name, `"${raw}" is not a number.`);
    return value;
  },
  boolean: (raw: string, name: string): unknown => {
    const value = raw.trim().toLowerCase();
    if (value === '') return undefined;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new AuthConfigError(name, `"${raw}" is not a boolean (use true or false).`);
  },
  list: (raw: string): unknown => {
    if (raw.trim() === '') return undefined;
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  },
  /** A number, or `off` / `false` for `false`. */
  numberOrOff: (raw: string, name: string): unknown => {
    const value = raw.trim().toLowerCase();
    return value === 'off' || value === 'false' ? false : env.number(raw, name);
  },
  lowerCase: (raw: string): unknown => (raw.trim() === '' ? undefined : raw.trim().toLowerCase()),
} satisfies Record<string, EnvParser>;

/** Checks. Each throws an {@link AuthConfigError} naming the key and what is expected. */
export const is = {
  string: (value: unknown, key: string): string => {
    if (typeof value !== 'string' || value === '') {
      throw new AuthConfigError(key, `must be a non-empty string, got ${describe(value)}.`);
    }
    return value;
  },
  optionalString: (value: unknown, key: string): string | undefined => {
    return value === undefined ? undefined : is.string(value, key);
  },
  boolean: (value: unknown, key: string): boolean => {
    if (typeof value !== 'boolean') {
      throw new AuthConfigError(key, `must be true or false, got ${describe(value)}.`);
    }
    return value;
  },
  fold: (value: unknown, key: string): ((identifier: string) => string) => {
    if (typeof value !== 'function') {
      throw new AuthConfigError(key, 'must be a function (string) => string.');
    }
    return value as (identifier: string) => string;
  },
  function: (value: unknown, key: string): (() => number) => {
    if (typeof value !== 'function') {
      throw new AuthConfigError(key, `must be a function, got ${describe(value)}.`);
    }
    return value as () => number;
  },
  keyMaterial: (value: unknown, key: string): string | KeyObject | undefined => {
    if (value === undefined || typeof value === 'string' || value instanceof KeyObject)
      return value;
    throw new AuthConfigError(
      key,
      `must be a string (PEM or secret) or a KeyObject, got ${describe(value)}.`,
    );
  },
  stringList: (value: unknown, key: string): string[] => {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
      throw new AuthConfigError(
        key,
        `must be an array of non-empty strings, got ${describe(value)}.`,
      );
    }
    return [...(value as string[])];
  },
  /** A record of string lists, e.g. `{ admin: ['moderator'] }`. */
  listRecord: (value: unknown, key: string): Record<string, string[]> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new AuthConfigError(key, `must be an object of string arrays, got ${describe(value)}.`);
    }
    const result: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const [name, list] of Object.entries(value)) {
      if (!Array.isArray(list)) {
        throw new AuthConfigError(
          `${key}.${name}`,
          `must be an array of strings (e.g. ["user"]), got ${describe(list)}.`,
        );
      }
      result[name] = is.stringList(list, `${key}.${name}`);
    }
    return result;
  },
  keyRecord: (value: unknown, key: string): Record<string, string | KeyObject> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new AuthConfigError(key, `must be an object of kid → key, got ${describe(value)}.`);
    }
    for (const [kid, material] of Object.entries(value)) {
      if (material === undefined) throw new AuthConfigError(`${key}.${kid}`, 'must be a key.');
      is.keyMaterial(material, `${key}.${kid}`);
    }
    return { ...(value as Record<string, string | KeyObject>) };
  },
  object: (value: unknown, key: string): object | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object')
      throw new AuthConfigError(key, `must be an object, got ${describe(value)}.`);
    return value;
  },
};

/** A number check within bounds, integer or not. */
export function numberIn(min: number, max: number, unit: string, integer = false): Check {
  return (value, key) => {
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      const kind = integer ? 'a whole number' : 'a number';
      throw new AuthConfigError(
        key,
        `must be ${kind} of ${unit} from ${min} to ${max}, got ${typeof value === 'number' ? String(value) : describe(value)}.`,
      );
    }
    return value;
  };
}

/** A positive number (lifetimes). */
export function positive(unit: string, secondsPerUnit: number, max: number): Check {
  return (value, key) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new AuthConfigError(key, `must be a positive number of ${unit}, got ${String(value)}.`);
    }
    // A lifetime that rounds to 0 s issues dead tokens; one beyond the bound is a typo or a risk.
    if (Math.round(value * secondsPerUnit) < 1 || value > max) {
      throw new AuthConfigError(
        key,
        `must be at least one second and at most ${max} ${unit}, got ${String(value)}.`,
      );
    }
    return value;
  };
}

/** One of a fixed set of strings. */
export function oneOf(choices: readonly string[], hint = ''): Check {
  return (value, key) => {
    const found = choices.find((c) => c === value);
    if (found === undefined) {
      throw new AuthConfigError(
        key,
        `${describe(value)} is not supported; use one of ${choices.join(', ')}${hint}.`,
      );
    }
    return found;
  };
}
