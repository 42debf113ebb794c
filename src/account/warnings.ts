import type { SetupWarningLogger } from './availability';

/**
 * @internal One setup's warnings about how it is used (a bridge method giving what the flows cannot
 * use): each said once through the setup's `logWarning`, and kept for `auth.status().problems`.
 */
export class SetupWarnings {
  private readonly said = new Map<string, string>();

  /** @param log - the setup's `logWarning`. */
  constructor(private readonly log: SetupWarningLogger) {}

  /** Logs `message` the first time `key` is warned about; later calls with `key` do nothing. */
  once(key: string, message: string): void {
    if (this.said.has(key)) return;
    this.said.set(key, message);
    try {
      this.log(message);
    } catch {
      // A failing logger must not change the answer of the request that noticed the problem.
    }
  }

  /** Every warning said so far, in order. */
  list(): string[] {
    return [...this.said.values()];
  }
}
