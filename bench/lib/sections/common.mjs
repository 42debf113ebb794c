/** What several sections share: one measured window on a freshly started server. */
import { measure } from '../load.mjs';
import { startServer, waitUntilAnswering } from '../processes.mjs';

/**
 * Starts a bench server with `env`, waits until it answers, measures one window (see
 * `measure`), and stops it: the load has ended by then, and the server lets its requests in
 * flight finish before it closes its DataSource.
 */
export async function freshServerWindow(env, options, measureOptions) {
  const server = await startServer(env);
  try {
    await waitUntilAnswering(server);
    return await measure(server, options, measureOptions);
  } finally {
    await server.stop();
  }
}
