import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockModules, extractBlocks, type BlockModule } from './code-blocks';

// Every ts block of the README and the guides, compiled as a user's CommonJS module against the
// library's source (tsconfig.json's strict options and its `routing-controllers-auth` path).
const ROOT = path.join(__dirname, '../..');
const DOCUMENTS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'guides'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `guides/${f}`),
];

/** Virtual files live next to the repository's package.json (CommonJS), never on disk. */
const fileOf = (doc: string, m: BlockModule): string =>
  path.join(ROOT, '.doc-blocks', doc.replace(/[^\w]/g, '_'), `${m.name}.ts`);

const cases = DOCUMENTS.flatMap((doc) =>
  blockModules(extractBlocks(readFileSync(path.join(ROOT, doc), 'utf8'))).map((m) => ({
    doc,
    n: m.block.index,
    module: m,
    file: fileOf(doc, m),
  })),
);

function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (parsed === undefined) throw new Error('tsconfig.json could not be read');
  return { ...parsed.options, noEmit: true, declaration: false, sourceMap: false };
}

let program: ts.Program;

beforeAll(() => {
  const virtual = new Map(cases.map((c) => [c.file, c.module.text]));
  const options = compilerOptions();
  const base = ts.createCompilerHost(options, true);
  const dirs = new Set(cases.map((c) => path.dirname(c.file)));
  const host: ts.CompilerHost = {
    ...base,
    directoryExists: (d) => dirs.has(d) || ts.sys.directoryExists(d),
    fileExists: (f) => virtual.has(f) || base.fileExists(f),
    readFile: (f) => virtual.get(f) ?? base.readFile(f),
    getSourceFile: (f, language, ...rest) => {
      const text = virtual.get(f);
      return text === undefined
        ? base.getSourceFile(f, language, ...rest)
        : ts.createSourceFile(f, text, language, true);
    },
  };
  program = ts.createProgram([...virtual.keys()], options, host);
});

/** A diagnostic as `line N: message`, N counted in the block (or `prelude`/`epilogue`). */
function describeDiagnostic(d: ts.Diagnostic, m: BlockModule): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file === undefined || d.start === undefined) return text;
  const line = d.file.getLineAndCharacterOfPosition(d.start).line - m.preludeLines + 1;
  const blockLines = m.block.code.split('\n').length;
  const where =
    line < 1
      ? 'generated prelude'
      : line > blockLines
        ? 'generated epilogue'
        : `line ${line} (document line ${m.block.line + line - 1})`;
  return `${where}: ${text}`;
}

describe('the ts blocks of the README and the guides compile against the current API', () => {
  it('finds the blocks', () => {
    expect(cases.filter((c) => c.doc === 'README.md').length).toBeGreaterThan(5);
    expect(program.getOptionsDiagnostics()).toEqual([]);
  });

  it.each(cases)('$doc block $n', ({ file, module }) => {
    const source = program.getSourceFile(file);
    if (source === undefined) throw new Error(`${file} is not in the program`);
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ].map((d) => describeDiagnostic(d, module));
    expect(diagnostics, module.text).toEqual([]);
  });
});
