import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Reply } from './errors';

/**
 * Sends bytes exactly as given (what supertest/Node's client would refuse or normalize:
 * repeated headers, raw UTF-8 in a header) and parses the answer. `head` is the request line and
 * headers without the final blank line; `Connection: close` and `Host` are added. `server` is a
 * listening server or the loopback port of one (another process).
 */
export async function rawRequest(
  server: Server | number,
  head: string | Buffer,
  body: string | Buffer = '',
): Promise<Reply> {
  const port = typeof server === 'number' ? server : (server.address() as AddressInfo).port;
  const bytes = (value: string | Buffer): Buffer =>
    typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const request = Buffer.concat([
    bytes(head),
    Buffer.from(`\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, 'latin1'),
    bytes(body),
  ]);
  const response = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    // Write without half-closing: Node's server drops a request whose client sent FIN early.
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', reject);
  });
  const text = response.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const headers: Reply['headers'] = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const payload = text.slice(split + 4);
  let parsed: unknown = {};
  try {
    parsed = JSON.parse(payload);
  } catch {
    parsed = {};
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text: payload, body: parsed };
}
