import net from 'node:net';

/** A raw HTTP exchange: what the server wrote before it closed, split at the blank line. */
export interface RawReply {
  readonly head: string;
  readonly body: string;
}

/**
 * Sends `bytes` as they are to 127.0.0.1:`port` (requests supertest and fetch refuse to send:
 * oversized or malformed headers) and reads until the server closes the connection.
 */
export async function rawRequest(port: number, bytes: string): Promise<RawReply> {
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('end', () => {
      resolve(text);
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
  const at = reply.indexOf('\r\n\r\n');
  return { head: reply.slice(0, at), body: reply.slice(at + 4) };
}
