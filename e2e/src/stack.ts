/**
 * Starts the whole system for one test file: every app as its own process from its built `dist/`,
 * on free ports, against a database cloned for this file and a Redis prefix of its own, with a model
 * config pointing at this file's mock-llm. Nothing is shared with other files or a running `pnpm start`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, newRedisPrefix, type TestDatabase } from '@llmgw/db/testing';
import { freePort, type SpawnedApp, spawnApp } from '@llmgw/testing';

export const ROOT = join(__dirname, '..', '..');
export const MASTER_KEY = 'sk-e2e-master-key-0123456789';
const INTERNAL_SECRET = 'e2e-internal-secret-0123456789abcdef';
const MOCK_API_KEY = 'mock-upstream-key-e2e';

export type AppName = 'mock-llm' | 'identity' | 'keys' | 'spend' | 'notifier' | 'gateway';
const PORT_VAR: Record<AppName, string> = {
  'mock-llm': 'MOCK_LLM_PORT',
  identity: 'IDENTITY_PORT',
  keys: 'KEYS_PORT',
  spend: 'SPEND_PORT',
  notifier: 'NOTIFIER_PORT',
  gateway: 'GATEWAY_PORT',
};
/** Start order: upstream and services before the gateway that needs them. */
const ORDER: AppName[] = ['mock-llm', 'identity', 'keys', 'spend', 'notifier', 'gateway'];

export interface Stack {
  apps: Record<AppName, SpawnedApp>;
  ports: Record<AppName, number>;
  gatewayUrl: string;
  database: TestDatabase;
  redisPrefix: string;
  redisUrl: string;
  env: Record<string, string>;
  /** Starts one more gateway replica on another port, sharing Redis and services. */
  startGateway: (extraEnv?: Record<string, string>) => Promise<SpawnedApp>;
  stop: () => Promise<void>;
}

/** Extra `model_list` entries (LiteLLM YAML) for a test, e.g. a model whose upstream is down. */
export interface StackOptions {
  extraModelsYaml?: string;
  /** A Redis of the test's own (fault tests); default the shared one with a prefix of this stack. */
  redisUrl?: string;
}

export function modelConfigYaml(mockPort: number): string {
  const entry = (name: string) => `  - model_name: ${name}
    litellm_params:
      model: openai/${name}
      api_base: http://127.0.0.1:${mockPort}/v1
      api_key: os.environ/MOCK_LLM_API_KEY
    model_info:
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.000002
`;
  return `model_list:\n${['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'].map(entry).join('')}`;
}

export async function startStack(
  extraEnv: Record<string, string> = {},
  options: StackOptions = {},
): Promise<Stack> {
  const database = await createTestDatabase();
  const redisPrefix = newRedisPrefix();
  const redisUrl = options.redisUrl ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const ports = Object.fromEntries(
    await Promise.all(ORDER.map(async (a) => [a, await freePort()])),
  ) as Record<AppName, number>;
  const dir = mkdtempSync(join(tmpdir(), 'llmgw-e2e-'));
  const configFile = join(dir, 'config.yaml');
  // `__MOCK__` in extra models stands for this stack's mock-llm port.
  const extra = (options.extraModelsYaml ?? '').replaceAll('__MOCK__', String(ports['mock-llm']));
  writeFileSync(configFile, modelConfigYaml(ports['mock-llm']) + extra);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '4',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    MASTER_KEY,
    INTERNAL_SECRET,
    MOCK_API_KEY,
    MOCK_LLM_API_KEY: MOCK_API_KEY,
    CONFIG_FILE: configFile,
    IDENTITY_URL: `http://127.0.0.1:${ports.identity}`,
    KEYS_URL: `http://127.0.0.1:${ports.keys}`,
    SPEND_URL: `http://127.0.0.1:${ports.spend}`,
    NOTIFIER_URL: `http://127.0.0.1:${ports.notifier}`,
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    // Identity: invitation links and login redirects point at this stack's gateway.
    PROXY_BASE_URL: `http://127.0.0.1:${ports.gateway}`,
    ...extraEnv,
  };
  const apps = {} as Record<AppName, SpawnedApp>;
  const started: SpawnedApp[] = [];
  const spawnOne = (name: AppName, port: number, more: Record<string, string> = {}) =>
    spawnApp({
      name,
      entry: join(ROOT, 'apps', name, 'dist', 'main.js'),
      port,
      env: { ...env, [PORT_VAR[name]]: String(port), ...more },
    });
  try {
    // Services first (in parallel), then the gateway.
    const services = ORDER.filter((a) => a !== 'gateway');
    const results = await Promise.allSettled(
      services.map(async (name) => {
        const app = await spawnOne(name, ports[name]);
        apps[name] = app;
        started.push(app);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    apps.gateway = await spawnOne('gateway', ports.gateway);
    started.push(apps.gateway);
  } catch (err) {
    await Promise.all(started.map((a) => a.stop('SIGKILL')));
    await database.drop();
    throw err;
  }
  const extraGateways: SpawnedApp[] = [];
  return {
    apps,
    ports,
    gatewayUrl: apps.gateway.baseUrl,
    database,
    redisPrefix,
    redisUrl,
    env,
    startGateway: async (more = {}) => {
      const g = await spawnOne('gateway', await freePort(), more);
      extraGateways.push(g);
      return g;
    },
    stop: async () => {
      await Promise.all([...extraGateways, ...started].map((a) => a.stop()));
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON request helper: status, headers and parsed body (text when not JSON). */
export async function call(
  url: string,
  init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? init.body
          : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (SSE or plain text)
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** Splits an SSE body into its `data:` payloads. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length));
}
