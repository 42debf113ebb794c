import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../support/http';

// What a user gets from the registry: `npm pack` (its prepack build included) → a tarball →
// `npm install` into a scratch app beside the peers → tsc on a strict app against the published
// declarations → that app running, answering a login over HTTP.

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(__dirname, 'consumer/app.ts');
const INVALID_TOKEN = 'Bearer error="invalid_token"';
const SEED = { email: 'ada@example.com', password: 'ada-password-1' };

/** The consumer's packages, at the versions the project's lock file installed (so npm's cache has them). */
const CONSUMER_DEPENDENCIES = [
  'routing-controllers',
  'express',
  'typedi',
  'typeorm',
  'reflect-metadata',
  'class-transformer',
  'class-validator',
  'better-sqlite3',
  'bcrypt',
];
const CONSUMER_DEV_DEPENDENCIES = ['typescript', '@types/node', '@types/express', '@types/bcrypt'];

/** The consumer's tsconfig: strict, and every published declaration checked (skipLibCheck off). */
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'node16',
    moduleResolution: 'node16',
    strict: true,
    skipLibCheck: false,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noPropertyAccessFromIndexSignature: true,
    rootDir: 'src',
    outDir: 'build',
  },
  include: ['src'],
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without what an enclosing `npm test` or the developer's shell set for npm or the library. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|AUTH_)/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command to its end (bounded by `timeout`) and gives back its exit code and its output. */
function run(command: string, args: string[], cwd: string, timeout = 240_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: cleanEnv(), timeout, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Exit code and all output, for an assertion that shows what went wrong. */
function outcome(result: Run): { code: number | null; output: string } {
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

async function mustRun(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    const { output } = outcome(result);
    throw new Error(`${command} ${args.join(' ')} failed (${result.code}) in ${cwd}:\n${output}`);
  }
  return result.stdout;
}

function installedVersion(name: string): string {
  const file = path.join(ROOT, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function versions(names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, installedVersion(name)]));
}

interface Packed {
  tarball: string;
  files: string[];
}

/** What a fresh clone holds: the working tree without installed, built or generated folders. */
const NOT_CLONED = new Set(['.git', 'node_modules', 'dist', 'build', 'docs', 'coverage']);

/**
 * `npm pack` as a publish would run it (prepack build included), in a copy of the working tree
 * that has no dist/ but a stale file where dist/ goes: the package must come out complete and
 * clean, and the repository's own dist/ is left alone for the other test files.
 */
async function pack(copy: string, destination: string): Promise<Packed> {
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (source) => !NOT_CLONED.has(path.relative(ROOT, source).split(path.sep)[0] ?? ''),
  });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  mkdirSync(path.join(copy, 'dist'));
  writeFileSync(path.join(copy, 'dist/stale-from-an-old-build.js'), '// removed by prepack\n');
  // --json sends the lifecycle scripts' output to stderr, so stdout is only the report.
  const stdout = await mustRun('npm', ['pack', '--json', '--pack-destination', destination], copy);
  const [report] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (report === undefined) throw new Error(`npm pack reported nothing:\n${stdout}`);
  return {
    tarball: path.join(destination, report.filename),
    files: report.files.map((file) => file.path).sort(),
  };
}

/**
 * Installs the tarball and the peers into `dir` from npm's cache (`--prefer-offline`). Install
 * scripts are skipped, and better-sqlite3's native addon is copied from the project's own install
 * of the same version (built on this machine by `npm ci`): compiling it again from source costs
 * over a minute and checks better-sqlite3, not this package. bcrypt loads its bundled prebuilds.
 */
async function installConsumer(dir: string, tarball: string): Promise<void> {
  const manifest = {
    name: 'routing-controllers-auth-consumer',
    version: '1.0.0',
    private: true,
    dependencies: {
      'routing-controllers-auth': `file:${tarball}`,
      ...versions(CONSUMER_DEPENDENCIES),
    },
    devDependencies: versions(CONSUMER_DEV_DEPENDENCIES),
  };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(dir, 'tsconfig.json'), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
  mkdirSync(path.join(dir, 'src'));
  copyFileSync(FIXTURE, path.join(dir, 'src/app.ts'));
  await mustRun(
    'npm',
    ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'],
    dir,
  );
  const addon = 'better-sqlite3/build/Release/better_sqlite3.node';
  mkdirSync(path.dirname(path.join(dir, 'node_modules', addon)), { recursive: true });
  copyFileSync(path.join(ROOT, 'node_modules', addon), path.join(dir, 'node_modules', addon));
}

interface Consumer {
  url: string;
  child: ChildProcess;
}

/** Starts the compiled consumer and waits until it prints its port (or exits). */
function startConsumer(dir: string): Promise<Consumer> {
  const child = spawn(process.execPath, ['build/app.js'], {
    cwd: dir,
    env: cleanEnv({
      NODE_ENV: 'test',
      AUTH_SECRET_KEY: randomBytes(32).toString('base64url'),
      AUTH_BCRYPT_COST: '4',
      AUTH_ACCESS_TOKEN_EXPIRE_MINUTES: '5',
      AUTH_REFRESH_TOKEN_EXPIRE_DAYS: '1',
      SEED_EMAIL: SEED.email,
      SEED_PASSWORD: SEED.password,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const port = /listening on (\d+)/.exec(output)?.[1];
      if (port !== undefined) resolve({ url: `http://127.0.0.1:${port}`, child });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      reject(new Error(`the consumer exited (${code}) before listening:\n${output}`));
    });
  });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) =>
      path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
    );
}

describe('the package as npm publishes it', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'routing-controllers-auth-pack-'));
  const consumerDir = path.join(scratch, 'consumer');
  const installed = path.join(consumerDir, 'node_modules/routing-controllers-auth');
  let packed: Packed = { tarball: '', files: [] };
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    packed = await pack(path.join(scratch, 'repository'), scratch);
    mkdirSync(consumerDir);
    await installConsumer(consumerDir, packed.tarball);
  }, 480_000);

  afterAll(async () => {
    const child = consumer?.child;
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('holds a freshly built dist/ for every source module, the README, the changelog and nothing else', () => {
    const modules = listFiles(path.join(ROOT, 'src'))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `dist/${file.slice(0, -'.ts'.length)}`);
    const dist = modules.flatMap((base) => [`${base}.d.ts`, `${base}.js`, `${base}.js.map`]);
    expect(packed.files).toEqual(['CHANGELOG.md', 'README.md', ...dist, 'package.json'].sort());
  });

  it('ships source maps that carry their TypeScript, since src/ is not published', () => {
    const maps = packed.files.filter((file) => file.endsWith('.js.map'));
    const incomplete = maps.filter((file) => {
      const map = JSON.parse(readFileSync(path.join(installed, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      return (
        map.sources.length !== 1 ||
        map.sourcesContent?.length !== 1 ||
        map.sourcesContent[0] !==
          readFileSync(
            path.join(ROOT, 'src', file.slice('dist/'.length, -'.js.map'.length) + '.ts'),
            'utf8',
          )
      );
    });
    expect({ maps: maps.length > 0, incomplete }).toEqual({ maps: true, incomplete: [] });
  });

  it('publishes a package.json whose entry points are in the tarball and that runs nothing on install', () => {
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
      main: string;
      types: string;
      exports: Record<string, { types: string; default: string } | string>;
      scripts: Record<string, string>;
    };
    const root = manifest.exports['.'];
    const entries = [manifest.main, manifest.types, manifest.exports['./package.json']];
    if (typeof root === 'object') entries.push(root.types, root.default);
    const missing = entries.filter(
      (entry) => typeof entry !== 'string' || !packed.files.includes(entry.replace(/^\.\//, '')),
    );
    const installScripts = Object.keys(manifest.scripts).filter((name) =>
      /^(pre|post)?install$/.test(name),
    );
    expect({ entries: entries.length, missing, installScripts }).toEqual({
      entries: 5,
      missing: [],
      installScripts: [],
    });
  });

  it('compiles a strict consumer against the published declarations, with skipLibCheck off', async () => {
    const tsc = path.join(consumerDir, 'node_modules/.bin/tsc');
    expect(outcome(await run(tsc, ['-p', 'tsconfig.json'], consumerDir))).toEqual({
      code: 0,
      output: '',
    });
  }, 180_000); // tsc and a node process on a shared 2-core machine: a bound, not a speed check

  it('runs the consumer: a login over HTTP, then its @CurrentUser and @AccessToken routes with the token', async () => {
    consumer = await startConsumer(consumerDir);
    const { url } = consumer;

    expectError(await request(url).get('/me'), 401, 'missing_credentials', 'Bearer');
    const wrong = await request(url)
      .post('/auth/login')
      .send({ email: SEED.email, password: 'not-the-password' });
    expectError(wrong, 401, 'invalid_credentials', 'Bearer');

    const login = await request(url).post('/auth/login').send(SEED);
    expect({
      status: login.status,
      cache: login.headers['cache-control'],
      body: login.body as unknown,
    }).toEqual({
      status: 200,
      cache: 'no-store',
      body: {
        access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) as string,
        refresh_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) as string,
        token_type: 'bearer',
        expires_in: 300,
        refresh_expires_in: 86_400,
      },
    });
    const bearer = `Bearer ${(login.body as { access_token: string }).access_token}`;

    const me = await request(url).get('/me').set('Authorization', bearer);
    expect({ status: me.status, body: me.body as unknown }).toEqual({
      status: 200,
      body: { id: 1, email: SEED.email },
    });
    const claims = await request(url).get('/me/claims').set('Authorization', bearer);
    expect({ status: claims.status, body: claims.body as unknown }).toEqual({
      status: 200,
      body: { sub: '1', type: 'access' },
    });

    // The store is live in the installed copy too: after logout the same token is refused.
    expect((await request(url).post('/auth/logout').set('Authorization', bearer)).status).toBe(204);
    expectError(
      await request(url).get('/me').set('Authorization', bearer),
      401,
      'token_revoked',
      INVALID_TOKEN,
    );
  }, 180_000); // tsc and a node process on a shared 2-core machine: a bound, not a speed check

  it('loads from an ES module with named imports (Node reads the CommonJS exports)', async () => {
    const script = [
      "import { AccessToken, AUTH_ENTITIES, AuthController, BaseUserAuthentication, CurrentUser, setupAuth } from 'routing-controllers-auth';",
      'console.log(JSON.stringify([AccessToken, AuthController, BaseUserAuthentication, CurrentUser, setupAuth].map((f) => typeof f).concat(Array.isArray(AUTH_ENTITIES))));',
    ].join('\n');
    const imported = await run(
      process.execPath,
      ['--input-type=module', '-e', script],
      consumerDir,
    );
    expect(outcome(imported)).toEqual({
      code: 0,
      output: '["function","function","function","function","function",true]\n',
    });
  }, 180_000); // tsc and a node process on a shared 2-core machine: a bound, not a speed check
});
