import request from 'supertest';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeEngines } from '../support/engines';
import { bearer, login, startExample, stopExample, type ExampleHarness } from './harness';

/** A coded JSON error body with this status and code, and nothing else. */
function expectCodedJson(res: request.Response, status: number, code: string): void {
  expect({ status: res.status, code: (res.body as { code?: unknown }).code }).toEqual({
    status,
    code,
  });
  expect(Object.keys(res.body as object).sort()).toEqual(['code', 'message', 'name']);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
}

describeEngines(
  'client mistakes Express and its helpers see first: 4xx, never 500 (pen test II, F4)',
  (engine) => {
    let h: ExampleHarness;
    beforeAll(async () => {
      h = await startExample(engine);
    });
    afterAll(() => stopExample(h));

    it('a path parameter that does not percent-decode → 400 invalid_request, logged nowhere', async () => {
      const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expectCodedJson(await request(h.app).get('/admin/users/%ff'), 400, 'invalid_request');
        expectCodedJson(
          await request(h.app).delete('/auth/sessions/%E0%A4%A'),
          400,
          'invalid_request',
        );
        expect(logged).toHaveBeenCalledTimes(0);
      } finally {
        logged.mockRestore();
      }
    });

    it('a range or precondition a static file cannot meet → 416 / 412 as JSON', async () => {
      const range = await request(h.app).get('/demo.js').set('Range', 'bytes=999999-');
      expectCodedJson(range, 416, 'range_not_satisfiable');
      expect(range.headers['content-range']).toBeUndefined();
      const precondition = await request(h.app).get('/demo.js').set('If-Match', '"nope"');
      expectCodedJson(precondition, 412, 'precondition_failed');
    });

    it('a session id with a NUL, or any id that is not a lower-case UUID → 404 before any query', async () => {
      const pair = await login(h.app, 'alice@example.com', 'alice-password-1');
      for (const id of ['abc%00def', 'ABC', '00000000-0000-4000-8000-00000000000A']) {
        const res = await request(h.app)
          .delete(`/auth/sessions/${id}`)
          .set('Authorization', bearer(pair.access_token));
        expectCodedJson(res, 404, 'session_not_found');
      }
    });
  },
);
