import type { Server } from 'node:http';
import type { Express } from 'express';
import { afterAll, beforeAll } from 'vitest';
import type { AuthOptions } from '../../../src';
import { buildTestApp, type TestApp } from '../app';

/** Builds a test app (SQLite) for the enclosing `describe` and closes it after. */
export function useTestApp(options?: AuthOptions): () => TestApp {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await buildTestApp('sqlite', options);
  });
  afterAll(async () => {
    await app?.close();
    app = undefined;
  });
  return () => {
    if (app === undefined) throw new Error('the test app is not built yet');
    return app;
  };
}

/** Starts `app` on an ephemeral loopback port (one server for the whole file). */
export async function listen(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      resolve(server);
    });
  });
}

/** Closes a server started by {@link listen}. */
export async function close(server: Server | undefined): Promise<void> {
  if (server === undefined) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}
