import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist');
/** What the OpenAPI feature uses and a user of the package may not have installed. */
const OPTIONAL = [
  'routing-controllers-openapi',
  'class-validator-jsonschema',
  'swagger-ui-dist',
  'openapi3-ts',
  'openapi-types',
  '@apidevtools/swagger-parser',
];

// Makes those packages unresolvable, as in an app that never installed them.
const HIDE = `
const Module = require('node:module');
const hidden = ${JSON.stringify(OPTIONAL)};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (hidden.some((name) => request === name || request.startsWith(name + '/'))) {
    const error = new Error("Cannot find module '" + request + "'");
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
`;

const USE = `
require('reflect-metadata');
const lib = require(${JSON.stringify(path.join(DIST, 'index.js'))});
const config = lib.resolveAuthConfig(
  { secretKey: ${JSON.stringify('QSAwj-zu1r2UI9L_Q0v7xy6mI01JLgyiaWFD7u3hQQ5l-10sKneJgExcf6idFe1f')}, bcryptCost: 4 },
  { NODE_ENV: 'test' },
);
const doc = lib.enrichOpenApi(
  { openapi: '3.0.0', info: { title: 't', version: '1' }, paths: {} },
  { config },
);
process.stdout.write(JSON.stringify(Object.keys(doc.components.securitySchemes)));
`;

/** Whether compiled code or types load `name` (a `require`, an `import`), comments aside. */
function loads(text: string, name: string): boolean {
  const quoted = `["']${name.replace(/[/.@-]/g, '\\$&')}(/[^"']*)?["']`;
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return new RegExp(`require\\(${quoted}\\)|from ${quoted}|import\\(${quoted}\\)`).test(code);
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(js|d\.ts)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the compiled package without the optional OpenAPI packages', () => {
  let work: string;
  beforeAll(() => {
    const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
    execFileSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    work = mkdtempSync(path.join(tmpdir(), 'rca-openapi-'));
    writeFileSync(path.join(work, 'hide.cjs'), HIDE);
  }, 120_000);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  function run(script: string): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ['-r', path.join(work, 'hide.cjs'), '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('the check finds a require, an import and a type import', () => {
    expect(loads('const x = require("swagger-ui-dist");', 'swagger-ui-dist')).toBe(true);
    expect(loads("import type { A } from 'openapi3-ts/oas30';", 'openapi3-ts')).toBe(true);
    expect(loads('type T = import("openapi-types").OpenAPIV3.Document;', 'openapi-types')).toBe(
      true,
    );
    const documented =
      "/**\n * import { routingControllersToSpec } from 'routing-controllers-openapi';\n */";
    expect(loads(documented, 'routing-controllers-openapi')).toBe(false);
    expect(loads('require("routing-controllers")', 'routing-controllers-openapi')).toBe(false);
  });

  it('no file of dist (code or types) loads one of them', () => {
    const files = filesUnder(DIST);
    expect(files).toContain(path.join(DIST, 'openapi', 'enrich.js'));
    const naming = files.filter((file) => {
      const text = readFileSync(file, 'utf8');
      return OPTIONAL.some((name) => loads(text, name));
    });
    expect(naming).toEqual([]);
  });

  it('the hiding works: requiring routing-controllers-openapi fails', () => {
    const result = run("require('routing-controllers-openapi')");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Cannot find module 'routing-controllers-openapi'");
  });

  it('loads, and enrichOpenApi works, with them hidden', () => {
    const result = run(USE);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual(['bearer', 'accessCookie', 'refreshCookie']);
  });
});
