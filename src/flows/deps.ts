import type { AuthRuntime } from '../setup/runtime';

/** @internal What a flow reads: the runtime without the flows themselves. */
export type FlowDeps<User = unknown> = Omit<AuthRuntime<User>, 'flows' | 'account'>;

/** Where a request came from, recorded with the session it starts (shown in the session list). */
export interface ClientInfo {
  /** Client IP (as Express sees it: mind `trust proxy`). Also a throttling key. */
  ip?: string | null;
  /** The User-Agent header. */
  userAgent?: string | null;
}
