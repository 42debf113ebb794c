import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clientErrorHandler } from '../../src';
import { rawRequest } from '../support/http/raw';

const raw = (server: Server, bytes: string) =>
  rawRequest((server.address() as AddressInfo).port, bytes);

async function listen(withHandler: boolean): Promise<Server> {
  const app = express();
  app.get('/', (_req, res) => {
    res.json({ ok: true });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => {
      resolve(s);
    });
  });
  if (withHandler) server.on('clientError', clientErrorHandler);
  return server;
}

const HUGE_HEADER = `GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(100_000)}\r\n\r\n`;

describe('clientErrorHandler: what Node refuses before Express, as coded JSON', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r));
    server = undefined;
  });

  it('without it, Node answers a 100 kB header with 431 and an empty body (the control)', async () => {
    server = await listen(false);
    const { head, body } = await raw(server, HUGE_HEADER);
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(body).toBe('');
  });

  it('a 100 kB header → 431 request_header_fields_too_large, JSON, no-store, closed', async () => {
    server = await listen(true);
    const { head, body } = await raw(server, HUGE_HEADER);
    expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(head).toMatch(/\r\nContent-Type: application\/json; charset=utf-8(\r\n|$)/);
    expect(head).toMatch(/\r\nCache-Control: no-store(\r\n|$)/);
    expect(head).toMatch(/\r\nConnection: close(\r\n|$)/);
    expect(JSON.parse(body)).toEqual({
      name: 'RequestHeaderFieldsTooLargeError',
      code: 'request_header_fields_too_large',
      message: 'Request Header Fields Too Large.',
    });
  });

  it.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'],
    ['a NUL in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n'],
  ])('%s → 400 invalid_request as JSON, echoing nothing', async (_label, bytes) => {
    server = await listen(true);
    const { head, body } = await raw(server, bytes);
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(body)).toEqual({
      name: 'InvalidRequestError',
      code: 'invalid_request',
      message: 'Bad Request.',
    });
  });

  it('a well-formed request on the same server is untouched', async () => {
    server = await listen(true);
    const { head, body } = await raw(
      server,
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(body).toContain('{"ok":true}');
  });
});
