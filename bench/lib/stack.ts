/**
 * The bench's own copy of the system: a fresh database, its own Redis prefix, every app from its build,
 * and one mock-llm per upstream mode. Nothing is shared with `pnpm start` or the tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmptyDatabase, dropDatabase } from '@llmgw/db/testing';
import { freePort, type SpawnedApp, spawnApp, waitFor } from '@llmgw/testing';
import { Redis } from 'ioredis';
import pg from 'pg';

export const ROOT = join(__dirname, '..', '..');
export const MASTER_KEY = 'sk-bench-master-key-0000';
/** The upstream key mock-llm expects (the gateway sends it from config.yaml). */
export const MOCK_KEY = 'mock-bench-key';
const INTERNAL_SECRET = 'bench-internal-secret-0123456789abcdef';
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Upstream modes: fast JSON, JSON with 20 ms latency, SSE with a frame every 2 ms or 20 ms. */
export const MODES = {
  fast: {},
  slow20: { MOCK_LATENCY_MS: '20' },
  sse2: { MOCK_CHUNK_DELAY_MS: '2' },
  sse20: { MOCK_CHUNK_DELAY_MS: '20' },
} as const;
export type Mode = keyof typeof MODES;

export interface Proxies {
  mock: SpawnedApp;
  raw: ChildProcess & { url: string };
  hpm: ChildProcess & { url: string };
}

export interface BenchStack {
  dbUrl: string;
  redisUrl: string;
  redisPrefix: string;
  upstreams: Record<Mode, Proxies>;
  services: Record<'identity' | 'keys' | 'spend' | 'notifier', SpawnedApp>;
  gateways: SpawnedApp[];
  env: Record<string, string>;
  startGateway: () => Promise<SpawnedApp>;
  stop: () => Promise<void>;
}

export interface StackOptions {
  /** Node flags for every gateway process (the profiler passes `--cpu-prof`). */
  gatewayNodeArgs?: string[];
  /** Extra environment for every gateway process. */
  gatewayEnv?: Record<string, string>;
}

async function startTarget(kind: 'raw-node' | 'express-hpm', upstream: string) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, '..', 'targets', `${kind}.ts`), String(port), upstream],
    {
      cwd: join(__dirname, '..'),
      stdio: 'ignore',
    },
  ) as ChildProcess & { url: string };
  child.url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    try {
      await fetch(`${child.url}/v1/models`);
      return true;
    } catch {
      return false;
    }
  }, 15_000);
  return child;
}

/**
 * `benchKeys` virtual keys `sk-bench-00000001`... are inserted straight into Postgres before the services
 * start, so the keys service's warm-up (or its cache fills) sees them like any other key.
 */
export async function startBenchStack(benchKeys: number, opts: StackOptions = {}): Promise<BenchStack> {
  // Everything started is registered here as it starts, so a failed start leaves nothing running.
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    return await start(benchKeys, opts, cleanup);
  } catch (err) {
    await runCleanup(cleanup);
    throw err;
  }
}

/** Stops what was started, newest first; the database and the Redis prefix go last. */
async function runCleanup(cleanup: (() => Promise<unknown>)[]): Promise<void> {
  while (cleanup.length) await (cleanup.pop() as () => Promise<unknown>)().catch(() => {});
}

async function start(
  benchKeys: number,
  opts: StackOptions,
  cleanup: (() => Promise<unknown>)[],
): Promise<BenchStack> {
  const name = `llmgw_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const dbUrl = await createEmptyDatabase(ADMIN_URL, name);
  const redisPrefix = `bench:${randomBytes(4).toString('hex')}:`;
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  cleanup.push(
    () => dropDatabase(ADMIN_URL, name),
    () => clearPrefix(redisUrl, redisPrefix),
  );
  const mockKey = MOCK_KEY;
  const base: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    MASTER_KEY,
    INTERNAL_SECRET,
    MOCK_LLM_API_KEY: mockKey,
    PROXY_BASE_URL: 'http://127.0.0.1:4000',
  };
  for (const svc of ['identity', 'keys', 'spend']) {
    const r = spawnSync(process.execPath, [join(ROOT, 'apps', svc, 'dist', 'migrate.js')], {
      env: { ...process.env, ...base },
    });
    if (r.status !== 0) throw new Error(`migrating ${svc} failed: ${r.stderr}`);
  }

  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    await client.query(
      `insert into keys.verification_tokens (token, key_name, max_budget, rpm_limit)
       select encode(sha256(convert_to('sk-bench-' || lpad(i::text, 8, '0'), 'UTF8')), 'hex'),
              'sk-...' || right(lpad(i::text, 8, '0'), 4), 1000000, 10000000
       from generate_series(1, $1::int) i`,
      [benchKeys],
    );
  } finally {
    await client.end();
  }

  const upstreams = {} as Record<Mode, Proxies>;
  for (const [mode, knobs] of Object.entries(MODES) as [Mode, Record<string, string>][]) {
    const port = await freePort();
    const mock = await spawnApp({
      name: `mock-${mode}`,
      entry: join(ROOT, 'apps', 'mock-llm', 'dist', 'main.js'),
      port,
      env: { ...base, MOCK_LLM_PORT: String(port), MOCK_API_KEY: mockKey, ...knobs },
    });
    cleanup.push(() => mock.stop());
    const raw = await startTarget('raw-node', mock.baseUrl);
    cleanup.push(async () => raw.kill('SIGTERM'));
    const hpm = await startTarget('express-hpm', mock.baseUrl);
    cleanup.push(async () => hpm.kill('SIGTERM'));
    upstreams[mode] = { mock, raw, hpm };
  }

  const dir = mkdtempSync(join(tmpdir(), 'llmgw-bench-'));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    `model_list:\n${(Object.keys(MODES) as Mode[])
      .map(
        (mode) => `  - model_name: bench-${mode}
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: ${upstreams[mode].mock.baseUrl}/v1
      api_key: os.environ/MOCK_LLM_API_KEY
`,
      )
      .join('')}`,
  );
  const ports = {
    identity: await freePort(),
    keys: await freePort(),
    spend: await freePort(),
    notifier: await freePort(),
  };
  const env: Record<string, string> = {
    ...base,
    CONFIG_FILE: configFile,
    IDENTITY_URL: `http://127.0.0.1:${ports.identity}`,
    KEYS_URL: `http://127.0.0.1:${ports.keys}`,
    SPEND_URL: `http://127.0.0.1:${ports.spend}`,
    NOTIFIER_URL: `http://127.0.0.1:${ports.notifier}`,
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    HOST: '127.0.0.1',
  };
  const portVar = {
    identity: 'IDENTITY_PORT',
    keys: 'KEYS_PORT',
    spend: 'SPEND_PORT',
    notifier: 'NOTIFIER_PORT',
  } as const;
  const services = {} as BenchStack['services'];
  for (const svc of ['identity', 'keys', 'spend', 'notifier'] as const) {
    services[svc] = await spawnApp({
      name: svc,
      entry: join(ROOT, 'apps', svc, 'dist', 'main.js'),
      port: ports[svc],
      env: { ...env, [portVar[svc]]: String(ports[svc]) },
      timeoutMs: 120_000,
    });
    const started = services[svc];
    cleanup.push(() => started.stop());
  }
  const gateways: SpawnedApp[] = [];
  const startGateway = async () => {
    const port = await freePort();
    const g = await spawnApp({
      name: 'gateway',
      entry: join(ROOT, 'apps', 'gateway', 'dist', 'main.js'),
      port,
      env: { ...env, ...opts.gatewayEnv, GATEWAY_PORT: String(port) },
      nodeArgs: opts.gatewayNodeArgs ?? [],
    });
    gateways.push(g);
    cleanup.push(() => g.stop());
    return g;
  };
  await startGateway();
  return {
    dbUrl,
    redisUrl,
    redisPrefix,
    upstreams,
    services,
    gateways,
    env,
    startGateway,
    stop: () => runCleanup(cleanup),
  };
}

/** Leaves nothing in the shared Redis: up to a million auth records live under the bench's prefix. */
async function clearPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      cursor = next;
      if (found.length) await redis.unlink(...found);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
