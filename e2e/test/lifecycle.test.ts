import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@llmgw/testing';
import { call, MASTER_KEY, ROOT, type Stack, sseData, startStack } from '../src/stack';

/** Runs `tooling/scripts/start.ts` (what `pnpm start` runs after building) and collects its output. */
function runStart(env: Record<string, string>) {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'tooling', 'scripts', 'start.ts')],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

describe('pnpm start when a dependency is unreachable', () => {
  it('when REDIS_URL points at a closed port, then it exits 1 within 10 s with one line naming Redis', async () => {
    const port = await freePort();
    const r = await runStart({ REDIS_URL: `redis://127.0.0.1:${port}` });
    console.log(`pnpm start with Redis down exited in ${r.ms} ms`);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr.trim().split('\n')).toEqual([
      `llmgw: cannot reach Redis at 127.0.0.1:${port} (ECONNREFUSED); start it with \`redis-server --daemonize yes --port 6379\` or \`docker compose up -d redis\`, or set REDIS_URL`,
    ]);
  });

  it('when DATABASE_URL points at a closed port, then it exits 1 within 10 s with one line naming PostgreSQL', async () => {
    const port = await freePort();
    const r = await runStart({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/llmgw` });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr.trim().split('\n')).toEqual([
      `llmgw: cannot reach PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED); start it with \`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\` or \`docker compose up -d postgres\`, or set DATABASE_URL`,
    ]);
  });
});

describe('graceful shutdown on SIGTERM', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Slow upstream frames so a stream is still in flight when the gateway is told to stop.
    stack = await startStack({ MOCK_CHUNK_DELAY_MS: '100' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('when the gateway gets SIGTERM mid-stream, then the stream still completes with [DONE] and the process exits 0', async () => {
    const gen = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body: {} });
    const key = (gen.body as { key: string }).key;
    const streaming = call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key,
      body: {
        model: 'gpt-4o',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
        mock_response: 'a b c d e f',
      },
    });
    await new Promise((r) => setTimeout(r, 250));
    const exit = stack.apps.gateway.stop('SIGTERM');
    const res = await streaming;
    expect(res.status).toBe(200);
    const frames = sseData(res.text);
    expect(frames.at(-1)).toBe('[DONE]');
    const content = frames
      .slice(0, -1)
      .map((f) => JSON.parse(f).choices[0]?.delta?.content ?? '')
      .join('');
    expect(content).toBe('a b c d e f');
    expect(await exit).toBe(0);
  });

  it('when each service gets SIGTERM, then it exits 0', async () => {
    const codes: Record<string, number | null> = {};
    for (const name of ['keys', 'identity', 'spend', 'notifier', 'mock-llm'] as const) {
      codes[name] = await stack.apps[name].stop('SIGTERM');
    }
    expect(codes).toEqual({ keys: 0, identity: 0, spend: 0, notifier: 0, 'mock-llm': 0 });
  });
});
