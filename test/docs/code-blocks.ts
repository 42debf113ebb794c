import ts from 'typescript';

/** One fenced ```ts (or ```typescript) block of a Markdown document. */
export interface CodeBlock {
  /** 1-based, in document order. */
  index: number;
  /** Line of the document the block's first code line is on (1-based). */
  line: number;
  code: string;
}

/** Every ```ts / ```typescript block of `markdown`, in order. */
export function extractBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? '')) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`unclosed code block at line ${i + 1}`);
    blocks.push({
      index: blocks.length + 1,
      line: i + 2,
      code: lines.slice(i + 1, end).join('\n'),
    });
    i = end;
  }
  return blocks;
}

/**
 * Names the blocks use without importing them: fragments of one tutorial leave out the usual
 * imports. Name → module (named imports).
 */
const COMMON_IMPORTS: Record<string, string> = {
  Service: 'typedi',
  Container: 'typedi',
  Entity: 'typeorm',
  Column: 'typeorm',
  PrimaryGeneratedColumn: 'typeorm',
  Repository: 'typeorm',
  DataSource: 'typeorm',
  Request: 'express',
  Response: 'express',
  JsonController: 'routing-controllers',
  Get: 'routing-controllers',
  Post: 'routing-controllers',
  Patch: 'routing-controllers',
  Delete: 'routing-controllers',
  Body: 'routing-controllers',
  Req: 'routing-controllers',
  Res: 'routing-controllers',
  Param: 'routing-controllers',
  HttpCode: 'routing-controllers',
  Authorized: 'routing-controllers',
  AUTH_ENTITIES: 'routing-controllers-auth',
  AUTH_MIGRATIONS: 'routing-controllers-auth',
  setupAuth: 'routing-controllers-auth',
  setAuthCookies: 'routing-controllers-auth',
  clearAuthCookies: 'routing-controllers-auth',
};

/**
 * Free names of the running app that fragments use (`auth.tokens…`): declared with their type.
 * A capitalised bare name in a type (`User`) is resolved like the block's own free names.
 */
const CONTEXT: Record<string, string> = {
  auth: "import('routing-controllers-auth').AuthSetup",
  dataSource: "import('typeorm').DataSource",
  app: "import('express').Express",
  req: "import('express').Request",
  res: "import('express').Response",
  user: 'User',
  userAgent: 'string',
  ip: 'string',
  sendMail: '(to: string, kind: string, token?: string) => Promise<void>',
};

/** What a block declares at top level, whether it imports, and the names it uses. */
interface Shape {
  imports: boolean;
  /** Top-level names declared without `export`: exported by the generated epilogue. */
  unexported: string[];
  /** Every top-level declared name (exported or not). */
  topLevel: string[];
  /** A top-level class, function, interface, type or enum. */
  declaresTypes: boolean;
  /**
   * Names declared anywhere in the block (parameters, locals, imports…). Scopes are ignored: a
   * name declared in one place and used free in another gets no prelude, and the compiler then
   * says `Cannot find name` — a loud failure, never a silent pass.
   */
  declared: Set<string>;
  /** Identifiers read anywhere (an over-approximation: property names are left out). */
  used: Set<string>;
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

function topLevelNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement))
    return statement.declarationList.declarations.flatMap((d) => bindingNames(d.name));
  if (
    (ts.isClassDeclaration(statement) ||
      ts.isFunctionDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isEnumDeclaration(statement)) &&
    statement.name
  )
    return [statement.name.text];
  return [];
}

function isExported(statement: ts.Statement): boolean {
  return (
    ts.canHaveModifiers(statement) &&
    (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  );
}

function shapeOf(code: string): Shape {
  const file = ts.createSourceFile('block.ts', code, ts.ScriptTarget.ES2022, true);
  const shape: Shape = {
    imports: false,
    unexported: [],
    topLevel: [],
    declaresTypes: false,
    declared: new Set(),
    used: new Set(),
  };
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) shape.imports = true;
    const names = topLevelNames(statement);
    if (names.length > 0 && !ts.isVariableStatement(statement)) shape.declaresTypes = true;
    shape.topLevel.push(...names);
    if (!isExported(statement)) shape.unexported.push(...names);
  }
  const visit = (node: ts.Node): void => {
    const name = (node as ts.Node & { name?: ts.Node }).name;
    if (isDeclaration(node) && name !== undefined && ts.isIdentifier(name))
      shape.declared.add(name.text);
    if (ts.isIdentifier(node) && !isPropertyName(node)) shape.used.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return shape;
}

/** A node that declares its `name` (destructured names are binding elements of their own). */
function isDeclaration(node: ts.Node): boolean {
  return (
    ts.isVariableDeclaration(node) ||
    ts.isParameter(node) ||
    ts.isBindingElement(node) ||
    ts.isClassDeclaration(node) ||
    ts.isFunctionDeclaration(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isEnumDeclaration(node) ||
    ts.isImportSpecifier(node) ||
    ts.isImportClause(node) ||
    ts.isNamespaceImport(node)
  );
}

/** `x.name`, `{ name: … }`, `class { name() {} }`: a name that is not a reference. */
function isPropertyName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
    (ts.isQualifiedName(parent) && parent.right === node) ||
    ((ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertySignature(parent)) &&
      parent.name === node)
  );
}

/** A block as a module of its own: the generated prelude, the block, the generated epilogue. */
export interface BlockModule {
  block: CodeBlock;
  /** File name relative to the document's folder, without extension (`block-03`). */
  name: string;
  text: string;
  /** Lines before the block's first line. */
  preludeLines: number;
}

const moduleName = (index: number): string => `block-${String(index).padStart(2, '0')}`;

/**
 * One module per block of a document. A block's free names come, in this order, from the common
 * imports, from another block of the document (every top-level declaration is exported), and
 * from the app's context (`declare const auth: …`). A block of statements only (no import, no
 * class, function or type) runs inside an async function, so that it may `await`.
 */
export function blockModules(blocks: readonly CodeBlock[]): BlockModule[] {
  const shapes = blocks.map((b) => shapeOf(b.code));
  const isScript = (s: Shape): boolean =>
    !s.imports && !s.declaresTypes && s.topLevel.length === s.unexported.length;
  const exporter = new Map<string, number>();
  shapes.forEach((s, i) => {
    if (isScript(s)) return;
    for (const name of s.topLevel) if (!exporter.has(name)) exporter.set(name, i);
  });

  return blocks.map((block, i) => {
    const shape = shapes[i] as Shape;
    const script = isScript(shape);
    const imports = new Map<string, string[]>();
    const declares: string[] = [];
    const resolved = new Set<string>();
    const resolve = (name: string): void => {
      if (resolved.has(name) || shape.declared.has(name)) return;
      resolved.add(name);
      const from =
        COMMON_IMPORTS[name] ??
        (exporter.has(name) && exporter.get(name) !== i
          ? `./${moduleName((exporter.get(name) ?? 0) + 1)}`
          : undefined);
      if (from !== undefined) imports.set(from, [...(imports.get(from) ?? []), name]);
      else if (CONTEXT[name] !== undefined) {
        declares.push(`declare const ${name}: ${CONTEXT[name]};`);
        for (const word of CONTEXT[name].match(/(?<![.\w])[A-Z]\w*/g) ?? []) resolve(word);
      }
    };
    [...shape.used].forEach(resolve);

    const prelude = [
      ...[...imports].map(([from, names]) => `import { ${names.join(', ')} } from '${from}';`),
      ...declares,
      'export {};',
      ...(script ? ['export async function __block(): Promise<void> {'] : []),
    ];
    const epilogue = script
      ? ['}']
      : shape.unexported.length > 0
        ? [`export { ${shape.unexported.join(', ')} };`]
        : [];
    return {
      block,
      name: moduleName(i + 1),
      text: [...prelude, block.code, ...epilogue].join('\n') + '\n',
      preludeLines: prelude.length,
    };
  });
}
