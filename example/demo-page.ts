import { existsSync } from 'node:fs';
import path from 'node:path';
import { Router, type Response } from 'express';

/** The demo page's files, by the path each is served at. */
const FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/demo.js': 'demo.js',
  '/demo.css': 'demo.css',
};

/**
 * Same-origin only, nothing inline: the page's script, style and requests all come from this
 * server, and no other site may frame it.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where the page's files are: `example/public`. From source (tests) this module is in
 * `example/`; built (`npm start`) it is in `build/example/`, and tsc copies no assets there.
 */
export function demoPageDir(moduleDir: string = __dirname): string {
  const candidates = [
    path.join(moduleDir, 'public'),
    path.resolve(moduleDir, '../../example/public'),
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
  if (found === undefined) {
    throw new Error(`The demo page's files are missing: looked in ${candidates.join(' and ')}.`);
  }
  return found;
}

function securityHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  });
}

/**
 * The demo page (`GET /`, its script and its style sheet): a small same-origin page that signs in
 * with the cookie flow (`/auth/cookie/login`, `/auth/cookie/refresh` and `/auth/logout` with the
 * CSRF header) and shows `GET /users/me`. Only those three paths are served; nothing else is
 * looked up on disk.
 */
export function demoPage(dir: string = demoPageDir()): Router {
  const router = Router();
  for (const [route, file] of Object.entries(FILES)) {
    const filePath = path.join(dir, file);
    router.get(route, (_req, res) => {
      securityHeaders(res);
      res.sendFile(filePath);
    });
  }
  return router;
}
