export { enrichOpenApi } from './enrich';
export type { EnrichOpenApiOptions } from './enrich';
export type { OpenApiDocument } from './document';
export type { OpenApiAuthConfig } from './security';
