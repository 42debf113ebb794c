/** Where work that runs off the request path reports a failure. Never given a token. */
export type BackgroundErrorLogger = (task: string, error: unknown) => void;

/** The default logger: one line on standard error with the task and the error's name and message. */
export const logBackgroundError: BackgroundErrorLogger = (task, error) => {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown';
  console.error(`[routing-controllers-auth] ${task} failed (${what})`);
};

/**
 * Runs work off the request path: the HTTP answer is sent before the work starts, so an answer
 * never waits on (or tells anything about) a mail, a hook, or a lookup behind it. A failure is
 * logged, never thrown. `idle()` resolves once nothing is running (for tests and shutdown).
 */
export class Background {
  private readonly running = new Set<Promise<void>>();

  /** @param log - where failures go. */
  constructor(private readonly log: BackgroundErrorLogger = logBackgroundError) {}

  /** Starts `work` on a later turn of the event loop; never throws, never delays the caller. */
  run(task: string, work: () => unknown): void {
    const job = new Promise<void>((resolve) => {
      setImmediate(() => {
        Promise.resolve()
          .then(work)
          .catch((error: unknown) => {
            try {
              this.log(task, error);
            } catch {
              // A failing logger must not turn into an unhandled rejection.
            }
          })
          .finally(() => {
            resolve();
          });
      });
    });
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
  }

  /** Resolves when every job started so far (and any job they start) has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
