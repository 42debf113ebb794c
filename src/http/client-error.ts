import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorResponse } from './error-response';

/** The status Node itself answers for a request its parser refuses (as in its own handler). */
function statusOf(code: unknown): number {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

/**
 * A `clientError` listener for the Node HTTP server under Express. Node refuses some requests
 * before Express or this library see them — headers over its limit (16 kB by default: 431), a
 * malformed request line or header (400), a request too slow to arrive (408) — and answers with a
 * status line and an empty body. This answers the same status with the coded JSON body every
 * other error gets (`{ name, code, message }`, see {@link errorResponse}) and closes the
 * connection, as Node does. A connection the client reset, or one already answering, is only
 * closed.
 *
 * @param error - The parser's error (its `code`, e.g. `HPE_HEADER_OVERFLOW`, picks the status).
 * @param socket - The client's connection.
 *
 * @example
 * const server = app.listen(3000);
 * server.on('clientError', clientErrorHandler);
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  // As Node's own handler: a response already under way on this connection is not written into.
  const answering = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent === true) {
    socket.destroy();
    return;
  }
  const { status, body } = errorResponse({ statusCode: statusOf(error.code) });
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(json)}\r\n` +
      'Cache-Control: no-store\r\n' +
      'Connection: close\r\n\r\n' +
      json,
  );
}
