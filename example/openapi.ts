import path from 'node:path';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
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
    res.set(DOCS_HEADERS).type('html').send(DOCS_PAGE);
  });
  app.get('/docs/init.js', (_req: Request, res: Response) => {
    res.set(DOCS_HEADERS).type('text/javascript').send(INIT_SCRIPT);
  });
  // Only the two files the page loads: not swagger-ui-dist's Petstore page, package.json or maps.
  const assets = express.static(SWAGGER_UI, { index: false, redirect: false });
  for (const file of DOCS_ASSETS) {
    app.get(`/docs/${file}`, (req: Request, res: Response, next: NextFunction) => {
      res.set(DOCS_HEADERS);
      req.url = `/${file}`;
      assets(req, res, next);
    });
  }
}

/** The swagger-ui-dist files the page needs. */
const DOCS_ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js'] as const;

/** Swagger UI's own page may not be framed, sniffed or run scripts from anywhere else. */
const DOCS_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
    "img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
};
