import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'build/example/main.js');

/** Builds the library and the example with tsc, as `npm start` does (once per test file). */
export function buildExample(): void {
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  execFileSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(tsc, ['-p', 'example/tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (!existsSync(MAIN) || statSync(MAIN).size === 0) throw new Error(`no ${MAIN} after the build`);
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** One running `node build/example/main.js`. */
export interface ExampleProcess {
  readonly url: string;
  readonly child: ChildProcess;
  output: string;
  /** SIGKILL, and wait for the exit. */
  kill: () => Promise<void>;
}

/**
 * Starts the built example on a free port and waits (bounded) until /health answers 200. `cwd`
 * (default: the repository) is where it keeps `example.sqlite` when `DATABASE_URL` is unset.
 */
export async function startExampleProcess(
  env: Record<string, string>,
  { cwd = ROOT }: { cwd?: string } = {},
): Promise<ExampleProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { ...process.env, NODE_ENV: 'test', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle: ExampleProcess = {
    url: `http://127.0.0.1:${port}`,
    child,
    output: '',
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGKILL');
      }),
  };
  child.stdout.on('data', (chunk: Buffer) => (handle.output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (handle.output += chunk.toString()));
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`example exited early:\n${handle.output}`);
    try {
      const res = await fetch(`${handle.url}/health`);
      if (res.status === 200) return handle;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await handle.kill();
  throw new Error(`example did not become healthy in 15 s:\n${handle.output}`);
}
