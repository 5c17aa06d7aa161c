/**
 * What `pnpm start` and `pnpm db:migrate` need before any app runs: the environment (from `.env` when
 * present, dev defaults otherwise), reachable Postgres and Redis, and migrated schemas.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from '@llmgw/config';
import { withDatabase } from '@llmgw/db';
import pg from 'pg';

export const ROOT = join(__dirname, '..', '..');
export const SERVICES_WITH_MIGRATIONS = ['identity', 'keys', 'spend'] as const;

export function loadEnv(): void {
  const file = join(ROOT, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
  process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;
  process.env.REDIS_URL ??= DEFAULT_REDIS_URL;
  // The bundled config.yaml reads the upstream key of mock-llm from here; mock-llm checks it.
  process.env.MOCK_LLM_API_KEY ??= 'mock-upstream-key';
}

const HOW_TO_START = {
  postgres:
    'start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` or `docker compose up -d postgres`, or set DATABASE_URL',
  redis:
    'start it with `redis-server --daemonize yes --port 6379` or `docker compose up -d redis`, or set REDIS_URL',
};

const hostPort = (url: string, fallbackPort: number) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || fallbackPort}`;
};

/** Resolves to an error message, or null when Postgres answers within 3 s. */
async function checkPostgres(url: string): Promise<string | null> {
  const client = new pg.Client({
    connectionString: withDatabase(url, 'postgres'),
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return `cannot reach PostgreSQL at ${hostPort(url, 5432)} (${e.code ?? e.message}); ${HOW_TO_START.postgres}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** PING over a raw socket, so a dead Redis fails in 3 s instead of retrying forever. */
function checkRedis(url: string): Promise<string | null> {
  const u = new URL(url);
  const fail = (why: string) =>
    `cannot reach Redis at ${hostPort(url, 6379)} (${why}); ${HOW_TO_START.redis}`;
  return new Promise((resolve) => {
    const socket = createConnection({ host: u.hostname, port: Number(u.port || 6379) });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(fail('timed out'));
    }, 3000);
    const done = (result: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.on('connect', () => {
      if (u.password)
        socket.write(
          `AUTH ${decodeURIComponent(u.username || 'default')} ${decodeURIComponent(u.password)}\r\n`,
        );
      socket.write('PING\r\n');
    });
    socket.on('data', (d) => {
      const text = d.toString();
      if (text.includes('+PONG')) done(null);
      else if (text.startsWith('-')) done(fail(text.trim().slice(1)));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => done(fail(err.code ?? err.message)));
  });
}

/** Exits with one line naming the unreachable dependency; no stack trace, no hang. */
export async function requireInfrastructure(): Promise<void> {
  const env = process.env as { DATABASE_URL: string; REDIS_URL: string };
  const problems = (await Promise.all([checkPostgres(env.DATABASE_URL), checkRedis(env.REDIS_URL)])).filter(
    Boolean,
  );
  if (problems.length) {
    for (const p of problems) process.stderr.write(`llmgw: ${p}\n`);
    process.exit(1);
  }
}

export function migrateAll(): void {
  for (const svc of SERVICES_WITH_MIGRATIONS) {
    const entry = join(ROOT, 'apps', svc, 'dist', 'migrate.js');
    if (!existsSync(entry)) {
      process.stderr.write(`llmgw: ${entry} is missing; run \`pnpm build\` first\n`);
      process.exit(1);
    }
    const r = spawnSync(process.execPath, [entry], { stdio: 'inherit', env: process.env });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
