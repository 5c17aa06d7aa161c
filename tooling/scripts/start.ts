/**
 * `pnpm start`: checks Postgres and Redis (one line and exit 1 if either is unreachable), migrates, then
 * runs every app with prefixed, readable logs until Ctrl-C. `--dev` runs from source with tsx watch.
 * If any app dies, the others are stopped and the command fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadEnv, migrateAll, ROOT, requireInfrastructure } from './infra';
import { formatLogLine } from './log-format';

const APPS = [
  { name: 'mock-llm', color: '90', port: 4010 },
  { name: 'identity', color: '36', port: 4001 },
  { name: 'keys', color: '35', port: 4002 },
  { name: 'spend', color: '33', port: 4003 },
  { name: 'notifier', color: '34', port: 4004 },
  { name: 'gateway', color: '32', port: 4000 },
];

const dev = process.argv.includes('--dev');
const color = process.stdout.isTTY === true;
const width = Math.max(...APPS.map((a) => a.name.length));
const children = new Map<string, ChildProcess>();
let stopping = false;

function run(app: (typeof APPS)[number]) {
  const args = dev
    ? [
        join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        'watch',
        join(ROOT, 'apps', app.name, 'src', 'main.ts'),
      ]
    : [join(ROOT, 'apps', app.name, 'dist', 'main.js')];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, MOCK_API_KEY: process.env.MOCK_LLM_API_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = color
    ? `\x1b[${app.color}m${app.name.padEnd(width)}\x1b[0m │ `
    : `${app.name.padEnd(width)} | `;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${prefix}${formatLogLine(line, color)}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(app.name);
    if (!stopping) {
      process.stderr.write(`llmgw: ${app.name} exited (${signal ?? code}); stopping the others\n`);
      void stopAll(1);
    } else if (children.size === 0) {
      process.exit(exitCode);
    }
  });
  children.set(app.name, child);
}

let exitCode = 0;
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  if (children.size === 0) process.exit(code);
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code);
  }, 15_000).unref();
}

async function waitReady(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/readiness`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

async function main() {
  loadEnv();
  await requireInfrastructure();
  migrateAll();
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const app of APPS) run(app);
  const ready = await Promise.all(APPS.map((a) => waitReady(a.port, dev ? 60_000 : 30_000)));
  if (stopping) return;
  if (ready.every(Boolean)) {
    const masterKey = process.env.MASTER_KEY ?? process.env.LITELLM_MASTER_KEY;
    process.stdout.write(
      `\nllmgw is ready: http://127.0.0.1:4000 (UI /ui, health /health/readiness). Master key: ${
        masterKey
          ? 'from MASTER_KEY'
          : 'the development default from the README (set MASTER_KEY to change it)'
      }.\n\n`,
    );
  } else {
    const slow = APPS.filter((_, i) => !ready[i]).map((a) => a.name);
    process.stderr.write(`llmgw: not ready in time: ${slow.join(', ')}\n`);
    await stopAll(1);
  }
}

void main();
