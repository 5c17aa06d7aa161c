import { defineConfig } from 'vite';

/**
 * The console is served by the gateway at /ui (apps/gateway/src/management/ui-static.ts), under a strict
 * CSP: every script and style must be a file from /ui/assets, so nothing may be inlined.
 */
export default defineConfig({
  base: '/ui/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Modern browsers only; the polyfill would be a second script for nothing.
    modulePreload: { polyfill: false },
    // No data: URIs for fonts/images: every asset is a hashed file (immutable caching).
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    // `pnpm --filter @llmgw/ui dev`: the API is the gateway of `pnpm start`.
    proxy: Object.fromEntries(
      [
        '/user',
        '/team',
        '/key',
        '/spend',
        '/global',
        '/email',
        '/invitation',
        '/onboarding',
        '/login',
        '/v2',
        '/logout',
        '/sso',
      ].map((p) => [p, 'http://127.0.0.1:4000']),
    ),
  },
});
