import express from 'express';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clientErrorHandler } from '../../src';
import { rawRequest } from '../support/http';

/** An Express app on a free port; `configure` runs on its server before it starts listening. */
async function listen(withHandler: boolean, configure?: (s: Server) => void): Promise<Server> {
  const app = express();
  app.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => {
      resolve(s);
    });
    configure?.(s);
  });
  if (withHandler) server.on('clientError', clientErrorHandler);
  return server;
}

const HUGE_HEADER = `GET / HTTP/1.1\r\nAuthorization: Bearer ${'a'.repeat(100_000)}`;

describe('clientErrorHandler: what Node refuses before Express, as coded JSON', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r));
    server = undefined;
  });

  it('without it, Node answers a 100 kB header with 431 and an empty body (the control)', async () => {
    server = await listen(false);
    const res = await rawRequest(server, HUGE_HEADER);
    expect(res.status).toBe(431);
    expect(res.text).toBe('');
  });

  it('a 100 kB header → 431 request_header_fields_too_large, JSON, no-store, closed', async () => {
    server = await listen(true);
    const res = await rawRequest(server, HUGE_HEADER);
    expect(res.status).toBe(431);
    expect(res.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'close',
    });
    expect(res.body).toEqual({
      name: 'RequestHeaderFieldsTooLargeError',
      code: 'request_header_fields_too_large',
      message: 'Request Header Fields Too Large.',
    });
  });

  it.each([
    ['a request line that is not HTTP', 'GARBAGE'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nno colon here'],
    ['a NUL in a header value', 'GET / HTTP/1.1\r\nX-A: a\u0000b'],
    [
      'a control character in the Authorization header',
      'GET / HTTP/1.1\r\nAuthorization: Bearer \u0001abc',
    ],
  ])('%s → 400 invalid_request as JSON, echoing nothing', async (_label, head) => {
    server = await listen(true);
    const res = await rawRequest(server, head);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      name: 'InvalidRequestError',
      code: 'invalid_request',
      message: 'Bad Request.',
    });
  });

  it('a request whose headers never finish → 408 request_timeout as JSON', async () => {
    // Node checks these every connectionsCheckingInterval (30 s by default): short ones here.
    server = await listen(true, (s) => {
      s.headersTimeout = 200;
      s.requestTimeout = 300;
      (s as Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = 50;
    });
    const { port } = server.address() as AddressInfo;
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write('GET / HTTP/1.1\r\nHost: x\r\n'),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => {
        resolve(text);
      });
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toEqual({
      name: 'RequestTimeoutError',
      code: 'request_timeout',
      message: 'Request Timeout.',
    });
  });

  it('a well-formed request on the same server is untouched', async () => {
    server = await listen(true);
    const res = await rawRequest(server, 'GET / HTTP/1.1');
    expect(res.status).toBe(200);
    expect(res.text).toContain('{"ok":true}');
  });
});
