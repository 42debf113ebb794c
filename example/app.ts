import 'reflect-metadata';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { useContainer, useExpressServer } from 'routing-controllers';
import {
  AuthController,
  notFoundHandler,
  setupAuth,
  type AuthOptions,
  type AuthSetup,
} from 'routing-controllers-auth';
import { Container } from 'typedi';
import type { DataSource } from 'typeorm';
import { ExampleAuth } from './auth';
import { AdminController } from './controllers/admin.controller';
import { HealthController } from './controllers/health.controller';
import { demoPage } from './demo-page';
import { outboxMailer } from './mailer';
import { mountDocs } from './openapi';
import { User } from './user.entity';

/** What {@link createApp} needs. */
export interface CreateAppOptions {
  /** An initialized DataSource whose entities include `User` and `...AUTH_ENTITIES`. */
  dataSource: DataSource;
  /** Library options; anything unset falls back to the `AUTH_*` environment, then the defaults. */
  options?: AuthOptions;
}

/** What {@link createApp} builds. */
export interface ExampleApp {
  /** The Express app, ready to listen. */
  app: Express;
  /** The library's setup of this app: its tokens, flows and configured hasher. */
  auth: AuthSetup<User>;
}

/**
 * Builds the example's Express app: wires the library (`setupAuth`) and mounts the library's
 * `AuthController` next to the example's own controllers; serves the demo page at `GET /`, the
 * OpenAPI document at `GET /openapi.json` and Swagger UI at `GET /docs`; any other route answers a
 * coded JSON 404. The controllers find what they need from the request (`contextOf(req)`), so
 * several apps may live in one process.
 */
export function createApp({ dataSource, options }: CreateAppOptions): ExampleApp {
  useContainer(Container);
  const userAuthentication = new ExampleAuth(dataSource.getRepository(User));
  const auth = setupAuth({ dataSource, userAuthentication, options, mailer: outboxMailer() });

  const app = express();
  app.disable('x-powered-by');
  app.use(cookieParser());
  app.use(demoPage()); // GET /: the cookie-flow demo page
  // The library's account controllers (register, verify, reset, /users/me, /users/:id) next to
  // the example's own admin list and health check.
  const controllers = [
    AuthController,
    ...auth.accountControllers,
    AdminController,
    HealthController,
  ];
  mountDocs(app, auth.config, controllers); // GET /openapi.json and GET /docs (Swagger UI), both public
  useExpressServer(app, {
    ...auth.serverOptions,
    controllers,
    middlewares: [...auth.middlewares],
    classTransformer: true,
    validation: true,
  });
  // After every routing-controllers route and middleware: Express's own 404 is an HTML page; the
  // library's notFoundHandler answers 404 not_found as JSON, for every method.
  app.use(notFoundHandler);
  return { app, auth };
}
