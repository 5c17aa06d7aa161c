import { basename, resolve, sep } from 'node:path';
import { ProxyError } from '@llmgw/http';
import express, { type RequestHandler, type Response, Router } from 'express';

/**
 * The web console's Content-Security-Policy. The built UI is one module script and one stylesheet from
 * `/ui/assets/`, so nothing inline is allowed: an injected `<script>` or `onclick=` never runs, and the
 * page can talk to this origin only (it calls the gateway's own API).
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': UI_CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // The onboarding URL carries the invitation id, a credential: never leak it in a Referer header.
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** Vite names every file under `assets/` after its content hash: it never changes under that name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed assets, so browsers revalidate it on every load (ETag). */
const REVALIDATE = 'no-cache';
/** Other public files (favicon): short, because their names carry no hash. */
const SHORT = 'public, max-age=3600';

/** Where `pnpm build` puts the UI, seen from the repo root (the cwd of `pnpm start`, e2e and Docker). */
export function defaultUiDir(cwd: string = process.cwd()): string {
  return resolve(cwd, 'apps', 'ui', 'dist');
}

export interface UiStaticOptions {
  /** The built UI (`apps/ui/dist`): index.html, assets/, public files. */
  dir: string;
}

/**
 * Serves the built web console at `/ui` (public, no principal). Client-side routes (`/ui/login`,
 * `/ui/onboarding?id=…`, `/ui/?login=success`) all answer index.html, which routes in the browser; a
 * missing file that looks like a file (`/ui/assets/x.js`, `/ui/x.png`) is a 404, not the page.
 */
export function uiStatic(options: UiStaticOptions): Router {
  const dir = resolve(options.dir);
  const indexFile = resolve(dir, 'index.html');
  const router = Router();

  const headers: RequestHandler = (req, res, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      next(
        new ProxyError({
          status: 405,
          message: `method ${req.method} is not allowed on ${req.originalUrl.split('?')[0]}`,
          type: 'invalid_request_error',
          param: null,
        }),
      );
      return;
    }
    next();
  };

  const files = express.static(dir, {
    index: false,
    redirect: false,
    fallthrough: true,
    dotfiles: 'ignore',
    cacheControl: false,
    setHeaders: (res: Response, path: string) => {
      const inAssets = path.startsWith(`${resolve(dir, 'assets')}${sep}`);
      const cache = path === indexFile ? REVALIDATE : inAssets ? IMMUTABLE : SHORT;
      res.setHeader('cache-control', cache);
    },
  });

  const page: RequestHandler = (req, res, next) => {
    const last = basename(req.path);
    if (req.path.startsWith('/assets/') || last.includes('.')) {
      next();
      return;
    }
    res.sendFile(indexFile, { cacheControl: false, headers: { 'cache-control': REVALIDATE } }, (err) => {
      if (!err || res.headersSent) return;
      const code = (err as NodeJS.ErrnoException).code;
      next(
        code === 'ENOENT'
          ? new ProxyError({
              status: 503,
              message: `the web UI is not built (no ${indexFile}): run \`pnpm build\` or set UI_DIR`,
              type: 'service_unavailable',
              param: null,
            })
          : err,
      );
    });
  };

  router.use('/ui', headers, files, page);
  return router;
}
