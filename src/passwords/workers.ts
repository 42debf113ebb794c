import { availableParallelism, platform } from 'node:os';
import { Worker } from 'node:worker_threads';
import bcrypt from 'bcrypt';

/** Where bcrypt runs: libuv's thread pool (bcrypt's async API) or low-priority worker threads. */
export interface BcryptBackend {
  hash(password: string, cost: number): Promise<string>;
  compare(password: string, hash: string): Promise<boolean>;
}

/** bcrypt's own async API, on libuv's thread pool (at the process's priority). */
const THREAD_POOL: BcryptBackend = {
  hash: (password, cost) => bcrypt.hash(password, cost),
  compare: (password, hash) => bcrypt.compare(password, hash),
};

/**
 * The worker's code (CommonJS, evaluated): it lowers its own thread's priority to `nice`
 * (on Linux `setpriority(PRIO_PROCESS, 0)` applies to the calling thread only), then runs
 * bcrypt's synchronous calls one message at a time.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
require('node:os').setPriority(0, workerData.nice);
const bcrypt = require(workerData.bcrypt);
parentPort.on('message', ({ id, op, password, arg }) => {
  try {
    const value = op === 'hash' ? bcrypt.hashSync(password, arg) : bcrypt.compareSync(password, arg);
    parentPort.postMessage({ id, value });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Task {
  readonly id: number;
  readonly op: 'hash' | 'compare';
  readonly password: string;
  readonly arg: string | number;
  readonly resolve: (value: string | boolean) => void;
  readonly reject: (error: Error) => void;
}

interface Reply {
  id: number;
  value?: string | boolean;
  error?: string;
}

/**
 * bcrypt on up to `size` worker threads of a lower priority, shared by the process: a login
 * storm then takes only the CPU the event loop does not want, so requests that need no bcrypt
 * keep their latency (issue 12 §4) while the cores left over still serve logins. A worker is
 * referenced only while it works (an idle pool keeps no process alive); one that dies fails its
 * task, and the next task starts a new one.
 */
class LowPriorityWorkers implements BcryptBackend {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private nextId = 0;

  constructor(
    private readonly size: number,
    private readonly bcryptPath: string,
    private readonly nice: number,
  ) {}

  hash(password: string, cost: number): Promise<string> {
    return this.submit('hash', password, cost) as Promise<string>;
  }

  compare(password: string, hash: string): Promise<boolean> {
    return this.submit('compare', password, hash) as Promise<boolean>;
  }

  private submit(op: Task['op'], password: string, arg: string | number) {
    return new Promise<string | boolean>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, op, password, arg, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.busy.size < this.size ? this.spawn() : undefined);
      if (worker === undefined) return;
      const task = this.queue.shift() as Task;
      this.busy.set(worker, task);
      worker.ref();
      worker.postMessage({ id: task.id, op: task.op, password: task.password, arg: task.arg });
    }
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bcrypt: this.bcryptPath, nice: this.nice },
    });
    worker.on('message', (reply: Reply) => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (task?.id === reply.id) {
        if (reply.error === undefined) task.resolve(reply.value as string | boolean);
        else task.reject(new Error(reply.error));
      }
      this.pump();
    });
    const lost = (error: Error) => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      task?.reject(error);
      this.pump();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => {
      lost(new Error(`bcrypt worker exited (${code})`));
    });
    return worker;
  }
}

/** The process's worker pools, one per nice value in use. */
const pools = new Map<number, BcryptBackend>();

/** Nice value of the bcrypt threads unless `passwordNice` says otherwise. */
export const DEFAULT_PASSWORD_NICE = 10;

/**
 * @internal The process's bcrypt backend for a nice value: on Linux with `nice` > 0, worker
 * threads at that priority (one per core at most), shared by every hasher of that value;
 * with `nice` 0, or where a thread cannot lower only its own priority, libuv's thread pool.
 */
export function bcryptBackend(nice: number = DEFAULT_PASSWORD_NICE): BcryptBackend {
  if (nice === 0 || platform() !== 'linux') return THREAD_POOL;
  let pool = pools.get(nice);
  if (pool === undefined) {
    pool = new LowPriorityWorkers(availableParallelism(), require.resolve('bcrypt'), nice);
    pools.set(nice, pool);
  }
  return pool;
}
