/**
 * The gateway serves the built web console at /ui (apps/gateway/src/management/ui-static.ts): the SPA's
 * client-side routes answer index.html, hashed assets are cached forever, and every answer carries a
 * strict CSP and anti-framing headers. Runs against the real built UI (apps/ui/dist, `pnpm build`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MASTER_KEY, ROOT, type Stack, startStack } from '../src/stack';

const UI_DIR = join(ROOT, 'apps', 'ui', 'dist');
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; " +
  "object-src 'none'";
const INDEX_HTML = readFileSync(join(UI_DIR, 'index.html'), 'utf8');

function securityHeaders(res: Response) {
  return {
    csp: res.headers.get('content-security-policy'),
    frame: res.headers.get('x-frame-options'),
    nosniff: res.headers.get('x-content-type-options'),
    referrer: res.headers.get('referrer-policy'),
  };
}
const SECURE = { csp: CSP, frame: 'DENY', nosniff: 'nosniff', referrer: 'no-referrer' };

function assetPaths(html: string): { js: string; css: string } {
  const js = /<script type="module" crossorigin src="(\/ui\/assets\/[^"]+\.js)"><\/script>/.exec(html)?.[1];
  const css = /<link rel="stylesheet" crossorigin href="(\/ui\/assets\/[^"]+\.css)">/.exec(html)?.[1];
  if (!js || !css) throw new Error(`index.html names no hashed script/stylesheet:\n${html}`);
  return { js, css };
}

describe('GET /ui (the web console)', () => {
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    stack = await startStack({ UI_DIR });
    base = stack.gatewayUrl;
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  test('when /ui is requested, then the app page answers 200 with the CSP, anti-framing and revalidation headers', async () => {
    const res = await fetch(`${base}/ui`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(securityHeaders(res)).toEqual(SECURE);
    expect(await res.text()).toBe(INDEX_HTML);
  });

  test.each([
    '/ui/',
    '/ui/?login=success',
    '/ui/login',
    '/ui/onboarding?id=7d6f3c1e-2b8a-4f0e-9c4d-1a2b3c4d5e6f',
    '/ui/keys',
    '/ui/users/',
  ])(
    'when the client-side route %s is requested, then index.html answers 200 (SPA fallback)',
    async (path) => {
      const res = await fetch(`${base}${path}`);
      expect({ status: res.status, body: await res.text(), headers: securityHeaders(res) }).toEqual({
        status: 200,
        body: INDEX_HTML,
        headers: SECURE,
      });
    },
  );

  test('when index.html is inspected, then it has no inline script or style (the CSP would block them)', () => {
    const scripts = [...INDEX_HTML.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(1);
    expect(scripts.map((m) => ({ hasSrc: /\ssrc="\/ui\/assets\//.test(m[1] ?? ''), body: m[2] }))).toEqual([
      { hasSrc: true, body: '' },
    ]);
    expect(INDEX_HTML).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/i);
  });

  test('when the hashed script and stylesheet are requested, then they are served with immutable caching', async () => {
    const { js, css } = assetPaths(INDEX_HTML);
    const [jsRes, cssRes] = await Promise.all([fetch(`${base}${js}`), fetch(`${base}${css}`)]);
    expect([jsRes.status, cssRes.status]).toEqual([200, 200]);
    expect(jsRes.headers.get('content-type')).toMatch(/^(text|application)\/javascript; charset=utf-8$/);
    expect(cssRes.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect([jsRes.headers.get('cache-control'), cssRes.headers.get('cache-control')]).toEqual([
      'public, max-age=31536000, immutable',
      'public, max-age=31536000, immutable',
    ]);
    expect(securityHeaders(jsRes)).toEqual(SECURE);
    expect((await jsRes.text()).length).toBeGreaterThan(1000);
  });

  test('when an unhashed public file is requested, then it is cached for an hour only', async () => {
    const res = await fetch(`${base}/ui/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(await res.text()).toBe(readFileSync(join(UI_DIR, 'favicon.svg'), 'utf8'));
  });

  test.each(['/ui/assets/index-missing.js', '/ui/robots.txt'])(
    'when the missing file %s is requested, then 404 in the error envelope, not the page',
    async (path) => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: { message: `route GET ${path} not found`, type: 'not_found_error', param: null, code: '404' },
      });
    },
  );

  test.each([
    '/ui/..%2fpackage.json',
    '/ui/%2e%2e/package.json',
    '/ui/%2e%2e/%2e%2e/%2e%2e/package.json',
    '/ui/assets/..%2f..%2f..%2f..%2fpackage.json',
  ])('when a path escapes the UI folder (%s), then no file outside it is served', async (path) => {
    const res = await fetch(`${base}${path}`);
    const body = await res.text();
    expect(res.status).toBe(404);
    // apps/ui/package.json and the repo's package.json both have a "name".
    expect(body).not.toContain('"name"');
  });

  test('when a dotfile is requested, then it is not served', async () => {
    const res = await fetch(`${base}/ui/.env`);
    expect(res.status).toBe(404);
  });

  test('when HEAD is sent for a client-side route, then 200 without a body', async () => {
    const res = await fetch(`${base}/ui/spend`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe('');
  });

  test('when a state-changing method is sent to /ui, then 405 names the method and lists GET, HEAD', async () => {
    const res = await fetch(`${base}/ui/keys`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toEqual({
      error: {
        message: 'method POST is not allowed on /ui/keys',
        type: 'invalid_request_error',
        param: null,
        code: '405',
      },
    });
  });

  test('when a path only starts with "ui", then it is not the console', async () => {
    const res = await fetch(`${base}/uix`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBeNull();
  });

  test('when the admin logs in with the form and follows the redirect, then /ui/?login=success answers 200 with the page', async () => {
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'admin', password: MASTER_KEY }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const location = login.headers.get('location') ?? '';
    expect(location).toBe(`${base}/ui/?login=success`);
    const page = await fetch(location);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(INDEX_HTML);
  });

  test('when UI_DIR has no index.html, then 503 says how to build it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'llmgw-no-ui-'));
    try {
      const gateway = await stack.startGateway({ UI_DIR: empty });
      const res = await fetch(`${gateway.baseUrl}/ui/keys`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        error: {
          message: `the web UI is not built (no ${join(empty, 'index.html')}): run \`pnpm build\` or set UI_DIR`,
          type: 'service_unavailable',
          param: null,
          code: '503',
        },
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
