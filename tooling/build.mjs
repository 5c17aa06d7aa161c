#!/usr/bin/env node
import { basename } from 'node:path';
// Bundles an app's entry points into dist/ with esbuild: workspace packages (@llmgw/*) are compiled in,
// every npm dependency stays external and is loaded from node_modules at run time (BullMQ reads its Lua
// scripts from disk and argon2 is native, so bundling them would break them).
import { build } from 'esbuild';

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error('usage: node tooling/build.mjs <entry.ts>...');
  process.exit(2);
}

const externalNpm = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@llmgw/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

await build({
  entryPoints: Object.fromEntries(entries.map((e) => [basename(e).replace(/\.ts$/, ''), e])),
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [externalNpm],
});
