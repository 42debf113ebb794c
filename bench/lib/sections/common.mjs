/** What several sections share: one measured window on a freshly started server. */
import { cannon, measure, meRequests } from '../load.mjs';
import {
  startServer,
  touchEveryToken,
  waitUntilAnswering,
  waitUntilCacheListening,
} from '../processes.mjs';
import { log } from '../util.mjs';

/**
 * Starts a bench server with `env`, waits until it answers (with the validation cache on: until
 * its channel listens, then each token once, so that the window shows the cache's steady state,
 * not its start-up), measures one window (see
 * `measure`), and stops it: the load has ended by then, and the server lets its requests in
 * flight finish before it closes its DataSource.
 */
export async function freshServerWindow(env, options, measureOptions) {
  const server = await startServer(env);
  try {
    await waitUntilAnswering(server);
    const cache = await waitUntilCacheListening(server);
    if (cache !== null) {
      if (!cache.listening)
        log(
          `${env.BENCH_VARIANT}@${env.BENCH_DB}: the validation cache's channel is not listening`,
        );
      await touchEveryToken(server);
    }
    return await measure(server, options, measureOptions);
  } finally {
    await server.stop();
  }
}

/** Waits until a started server answers, then gives it one closed-loop warm-up of its own. */
export async function answeringAndWarm(server, options) {
  await waitUntilAnswering(server);
  if (options.warmup <= 0) return;
  await cannon({
    port: server.port,
    requests: meRequests(server.tokens),
    duration: options.warmup,
    connections: options.connections,
  }).result;
}
