import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a {@link Served} server answered, as the server saw it. */
export interface Answer {
  method: string;
  path: string;
  status: number;
  /** The `Origin` header, if any. */
  origin: string | undefined;
  /** The `Sec-Fetch-Site` header, if any. */
  fetchSite: string | undefined;
  /** Names of the cookies the request carried, sorted. */
  cookies: string[];
}

/** A real HTTP server on a loopback port, recording what it answered. */
export interface Served {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Every answered request, in the order the answers finished. */
  readonly answers: Answer[];
  /**
   * Holds the next `count` requests to `path` until all of them have arrived (bounded by
   * `timeoutMs`), then lets them all go on at once: the requests really are concurrent at the
   * server. Resolves to how many had arrived when they were let go.
   */
  hold: (path: string, count: number, timeoutMs?: number) => Promise<number>;
  close: () => Promise<void>;
}

interface Gate {
  path: string;
  count: number;
  waiting: (() => void)[];
  open: () => void;
}

function cookieNames(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(';')
    .map((part) => part.slice(0, part.indexOf('=')).trim())
    .filter((name) => name !== '')
    .sort();
}

/** Serves `handler` (e.g. an Express app) on 127.0.0.1 at a free port. */
export async function serve(handler: http.RequestListener): Promise<Served> {
  const answers: Answer[] = [];
  let gate: Gate | undefined;
  const server = http.createServer((req, res) => {
    res.on('finish', () => {
      answers.push({
        method: req.method ?? '',
        path: req.url ?? '',
        status: res.statusCode,
        origin: req.headers.origin,
        fetchSite: req.headers['sec-fetch-site'],
        cookies: cookieNames(req.headers.cookie),
      });
    });
    const current = gate;
    if (current !== undefined && req.url === current.path) {
      current.waiting.push(() => {
        handler(req, res);
      });
      if (current.waiting.length === current.count) current.open();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  const hold = (path: string, count: number, timeoutMs = 10_000): Promise<number> =>
    new Promise((resolve) => {
      const next: Gate = {
        path,
        count,
        waiting: [],
        open: () => {
          clearTimeout(timer);
          if (gate === next) gate = undefined;
          resolve(next.waiting.length);
          for (const go of next.waiting) go();
        },
      };
      const timer = setTimeout(next.open, timeoutMs);
      gate = next;
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    answers,
    hold,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** A one-page site on another origin: `GET /` answers `html`, anything else 404. */
export function serveHtml(html: string): Promise<Served> {
  return serve((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
}
