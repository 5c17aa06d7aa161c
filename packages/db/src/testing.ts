/**
 * Test-only: each test file gets its own database cloned from a template that jest's global setup
 * migrated once, so files run in parallel and never see each other's rows or a running `pnpm start`.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdent, withDatabase } from './database-url';

export const TEST_TEMPLATE_ENV = 'LLMGW_TEST_TEMPLATE_DB';
export const TEST_ADMIN_URL_ENV = 'LLMGW_TEST_ADMIN_URL';

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  drop: () => Promise<void>;
}

/** Clones the migrated template into a fresh database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env[TEST_TEMPLATE_ENV];
  const adminUrl = process.env[TEST_ADMIN_URL_ENV];
  if (!template || !adminUrl) throw new Error('test database template missing: run tests through jest');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (c) =>
    c.query(`create database ${quoteIdent(name)} template ${quoteIdent(template)}`),
  );
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: () =>
      admin(adminUrl, (c) => c.query(`drop database if exists ${quoteIdent(name)} with (force)`)).then(
        () => {},
      ),
  };
}

export async function createEmptyDatabase(adminUrl: string, name: string): Promise<string> {
  await admin(adminUrl, async (c) => {
    await c.query(`drop database if exists ${quoteIdent(name)} with (force)`);
    await c.query(`create database ${quoteIdent(name)}`);
  });
  return withDatabase(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await admin(adminUrl, (c) => c.query(`drop database if exists ${quoteIdent(name)} with (force)`));
}

/** Drops databases left behind by test runs that were killed (older than an hour). */
export async function dropStaleTestDatabases(adminUrl: string, prefix: string): Promise<void> {
  await admin(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `select datname from pg_database where datname like $1`,
      [`${prefix}%`],
    );
    const hourAgo = Date.now() - 3600_000;
    for (const { datname } of rows) {
      const ts = Number(datname.slice(prefix.length).split('_')[0]);
      if (Number.isFinite(ts) && ts < hourAgo) {
        await c.query(`drop database if exists ${quoteIdent(datname)} with (force)`);
      }
    }
  });
}

export const newRedisPrefix = (): string => `test:${randomBytes(5).toString('hex')}:`;
