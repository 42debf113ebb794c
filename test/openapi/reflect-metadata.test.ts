// Import order is the point: routing-controllers-openapi (which brings reflect-metadata 0.1.14)
// first, then decorated classes, then the project's reflect-metadata 0.2 and class-validator-jsonschema.
import { routingControllersToSpec } from 'routing-controllers-openapi';
import { ReflectController, registryWhenDecorated } from './fixtures/reflect-order';
import 'reflect-metadata';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { getMetadataArgsStorage } from 'routing-controllers';
import { describe, expect, it } from 'vitest';

/** The folder of package `name` as resolved from inside package `from` (its own node_modules first). */
function resolvedFrom(from: string, name: string): string {
  return packageFolder(createRequire(require.resolve(from)).resolve(name), name);
}

/** `…/node_modules/<name>` of a file resolved inside that package. */
function packageFolder(file: string, name: string): string {
  const marker = `${path.sep}node_modules${path.sep}${name}${path.sep}`;
  return file.slice(0, file.lastIndexOf(marker) + marker.length - 1);
}

function versionAt(folder: string): string {
  const json = readFileSync(path.join(folder, 'package.json'), 'utf8');
  return (JSON.parse(json) as { version: string }).version;
}

describe('two copies of reflect-metadata (0.1 under routing-controllers-openapi, 0.2 for the rest)', () => {
  it('are really both installed', () => {
    expect(versionAt(resolvedFrom('routing-controllers-openapi', 'reflect-metadata'))).toBe(
      '0.1.14',
    );
    expect(versionAt(packageFolder(require.resolve('reflect-metadata'), 'reflect-metadata'))).toBe(
      '0.2.2',
    );
  });

  it('the fixture was decorated under 0.1 (no registry yet), and 0.2 took over after', () => {
    expect(registryWhenDecorated).toBe(false);
    expect(Symbol.for('@reflect-metadata:registry') in (Reflect as unknown as object)).toBe(true);
  });

  it("decorator metadata still reaches the spec: the param's type and the body's class", () => {
    const spec = routingControllersToSpec(
      getMetadataArgsStorage(),
      {},
      {
        info: { title: 'reflect', version: '1.0.0' },
        components: {
          schemas: validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/' }),
        },
      },
    );
    const paths = spec.paths as Record<string, { post?: Record<string, unknown> } | undefined>;
    const operation = paths['/reflect/items/{id}']?.post ?? {};
    expect(operation.operationId).toBe(`${ReflectController.name}.rename`);
    expect(operation.parameters).toEqual([
      {
        in: 'path',
        name: 'id',
        required: true,
        schema: { type: 'number', pattern: '[^\\/#\\?]+?' },
      },
    ]);
    expect(operation.requestBody).toEqual({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/RenameBody' } } },
      description: 'RenameBody',
      required: false,
    });
    expect(spec.components?.schemas?.RenameBody).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 3 },
        rank: { type: 'integer', maximum: 10 },
      },
      required: ['name', 'rank'],
    });
  });

  it('class-validator-jsonschema and routing-controllers read the one class-validator (0.14)', () => {
    const fromSchema = resolvedFrom('class-validator-jsonschema', 'class-validator');
    const fromRouting = resolvedFrom('routing-controllers', 'class-validator');
    expect(fromSchema).toBe(fromRouting);
    expect(fromSchema).toBe(packageFolder(require.resolve('class-validator'), 'class-validator'));
    expect(versionAt(fromSchema)).toMatch(/^0\.14\./);
    expect(versionAt(resolvedFrom('routing-controllers-openapi', 'routing-controllers'))).toBe(
      '0.11.3',
    );
  });
});
