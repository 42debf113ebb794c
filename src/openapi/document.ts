/**
 * The part of an OpenAPI 3.0 / 3.1 document the enricher needs to see. Any OpenAPI 3 object fits,
 * e.g. the `OpenAPIObject` routing-controllers-openapi builds: the library imports nothing from
 * it, so it stays an optional peer.
 */
export interface OpenApiDocument {
  /** The OpenAPI version, e.g. `"3.0.0"`. */
  openapi: string;
  /** The operations by path. */
  paths?: object;
  /** Reusable parts (schemas, security schemes...). */
  components?: object;
}

/** @internal A JSON object of the document. */
export type JsonObject = Record<string, unknown>;

/** @internal The HTTP methods OpenAPI path items hold, as routing-controllers names them. */
export const OPERATION_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
] as const;

/** @internal One of {@link OPERATION_METHODS}. */
export type OperationMethod = (typeof OPERATION_METHODS)[number];

/** @internal Methods that change state: a cookie-authenticated call needs the CSRF header. */
export const UNSAFE_METHODS: ReadonlySet<OperationMethod> = new Set([
  'post',
  'put',
  'patch',
  'delete',
]);

/** @internal Whether a value is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @internal `parent[key]` as an object, created empty when absent. */
export function childObject(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (isJsonObject(existing)) return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

/** @internal Express route syntax (`/users/:id`) as an OpenAPI path (`/users/{id}`). */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)\??/g, '{$1}');
}
