#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
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

const result = await build({
  metafile: true,
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

// Every npm package the bundle loads at run time must be a dependency of this app, or the app works in
// the monorepo by accident and fails in a container (pnpm does not hoist undeclared packages).
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const declared = new Set(Object.keys(pkg.dependencies ?? {}));
const builtins = new Set(builtinModules);
const missing = new Set();
for (const input of Object.values(result.metafile.inputs)) {
  for (const imp of input.imports) {
    if (!imp.external || imp.path.startsWith('node:') || builtins.has(imp.path)) continue;
    const name = imp.path.startsWith('@')
      ? imp.path.split('/').slice(0, 2).join('/')
      : imp.path.split('/')[0];
    if (!declared.has(name)) missing.add(name);
  }
}
if (missing.size) {
  console.error(
    `${pkg.name}: the bundle needs packages missing from dependencies: ${[...missing].join(', ')}`,
  );
  process.exit(1);
}
