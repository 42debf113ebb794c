import path from 'node:path';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import express, { type Express, type Request, type Response } from 'express';
import { getMetadataArgsStorage, type MetadataArgsStorage } from 'routing-controllers';
import { enrichOpenApi, type OpenApiAuthConfig } from 'routing-controllers-auth';
import { routingControllersToSpec } from 'routing-controllers-openapi';

/**
 * routing-controllers' metadata of the given controllers only: every decorated class loaded in the
 * process is in the global storage (the library's ready-made controllers too), and a document must
 * list only the routes the app serves.
 */
function storageOf(controllers: readonly object[]): MetadataArgsStorage {
  const all = getMetadataArgsStorage();
  const mounted = (target: unknown) => controllers.includes(target as object);
  return Object.assign(
    Object.create(Object.getPrototypeOf(all) as object) as MetadataArgsStorage,
    all,
    {
      controllers: all.controllers.filter((c) => mounted(c.target)),
      actions: all.actions.filter((a) => mounted(a.target)),
      params: all.params.filter((p) => mounted((p.object as object).constructor)),
      responseHandlers: all.responseHandlers.filter((r) => mounted(r.target)),
      uses: all.uses.filter((u) => mounted(u.target)),
    },
  );
}

/** The OpenAPI document of the mounted controllers, enriched with what the library knows. */
export function buildOpenApi(config: OpenApiAuthConfig, controllers: readonly object[]): object {
  const storage = storageOf(controllers);
  const spec = routingControllersToSpec(
    storage,
    {},
    {
      info: {
        title: 'routing-controllers-auth example',
        version: '0.1.0',
        description:
          'Log in with POST /auth/login (or Authorize → oauth2, the password flow on /auth/token), ' +
          'then call the guarded routes with the bearer token.',
      },
      components: {
        schemas: validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/' }),
      },
    },
  );
  return enrichOpenApi(spec, { config, storage });
}

/** swagger-ui-dist's folder (the package ships no types; its own helper only says the same). */
const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>routing-controllers-auth example: API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-url="/openapi.json"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// A file, not an inline script, so a Content-Security-Policy without 'unsafe-inline' still works.
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: document.getElementById('swagger-ui').dataset.url,
  dom_id: '#swagger-ui',
});
`;

/**
 * Serves the document at `GET /openapi.json` (built once, here) and Swagger UI on it at
 * `GET /docs`, from swagger-ui-dist's files: nothing comes from a CDN. Both are public.
 */
export function mountDocs(
  app: Express,
  config: OpenApiAuthConfig,
  controllers: readonly object[],
): void {
  const document = JSON.stringify(buildOpenApi(config, controllers));
  app.get('/openapi.json', (_req: Request, res: Response) => {
    res.type('application/json').send(document);
  });
  app.get('/docs', (_req: Request, res: Response) => {
    res.type('html').send(DOCS_PAGE);
  });
  app.get('/docs/init.js', (_req: Request, res: Response) => {
    res.type('text/javascript').send(INIT_SCRIPT);
  });
  app.use('/docs', express.static(SWAGGER_UI, { index: false, redirect: false }));
}
