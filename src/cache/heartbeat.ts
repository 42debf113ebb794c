/** A channel's listening connection is checked this often, ms. */
export const HEARTBEAT_MS = 5_000;
/** A check unanswered within this, ms, counts as a dropped connection. */
export const HEARTBEAT_TIMEOUT_MS = 2_000;

/** `work`, rejected if it does not settle within `ms` (the timer never keeps the process alive). */
export async function withTimeout<T>(work: Promise<T>, ms = HEARTBEAT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
