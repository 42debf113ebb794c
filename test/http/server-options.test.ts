import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import {
  Get,
  HttpError,
  JsonController,
  Middleware,
  useExpressServer,
  type ExpressMiddlewareInterface,
} from 'routing-controllers';
import { Service } from 'typedi';
import { describe, expect, it } from 'vitest';
import { AuthController, CurrentUser } from '../../src';
import { configError } from '../support/config-error';
import { PASSWORDS } from '../support/app';
import type { TestUser } from '../support/users';
import { expectError, loginPair, useTestApp } from './helpers';

@Middleware({ type: 'before' })
@Service()
class StampMiddleware implements ExpressMiddlewareInterface {
  use(_req: Request, res: Response, next: NextFunction): void {
    res.set('X-Stamp', 'mine');
    next();
  }
}

class ConflictError extends HttpError {
  constructor() {
    super(409, 'Email already registered');
  }
}

@JsonController('/so')
@Service()
class StampController {
  @Get('/me')
  me(@CurrentUser() user: TestUser) {
    return { id: user.id };
  }

  @Get('/conflict')
  conflict(): never {
    throw new ConflictError();
  }
}

describe('auth.serverOptionsWith: your middlewares beside the setup’s', () => {
  const t = useTestApp();

  it('keeps both: the library routes work and your middleware runs', async () => {
    const app = express();
    useExpressServer(
      app,
      t().auth.serverOptionsWith({
        controllers: [AuthController, StampController],
        middlewares: [StampMiddleware],
      }),
    );
    const pair = await loginPair(app, 'alice@example.com', PASSWORDS.alice);
    const res = await request(app)
      .get('/so/me')
      .set('Authorization', `Bearer ${pair.access_token}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ id: t().users.alice.id });
    expect(res.headers['x-stamp']).toBe('mine');
    const options = t().auth.serverOptionsWith({ middlewares: [StampMiddleware] });
    expect(options.middlewares).toEqual([...t().auth.middlewares, StampMiddleware]);
    expect(options.defaultErrorHandler).toBe(false);
    expect(options.development).toBe(false);
  });

  it('a bare HttpError subclass (its prototype reset by routing-controllers) gets a code from its status', async () => {
    const app = express();
    useExpressServer(app, t().auth.serverOptionsWith({ controllers: [StampController] }));
    const res = await request(app).get('/so/conflict');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      name: 'HttpError',
      code: 'conflict',
      message: 'Email already registered',
    });
  });

  it('refuses glob strings, which it cannot merge', () => {
    expect(
      configError(() => t().auth.serverOptionsWith({ middlewares: ['dist/middlewares/*.js'] })).key,
    ).toBe('middlewares');
  });
});

describe('cookie routes on a setup that does not read cookies', () => {
  const t = useTestApp({ tokenLocation: ['header'] });

  it('POST /auth/cookie/login and /auth/cookie/refresh → 400, no session, no cookie', async () => {
    const before = await t().auth.tokens.listSessions(t().users.alice.id);
    for (const path of ['/auth/cookie/login', '/auth/cookie/refresh']) {
      const res = await request(t().app)
        .post(path)
        .send({ email: 'alice@example.com', password: PASSWORDS.alice });
      expectError(res, 400, 'invalid_request', 'Bearer error="invalid_request"');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await t().auth.tokens.listSessions(t().users.alice.id)).toEqual(before);
  });
});
