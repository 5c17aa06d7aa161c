/**
 * Runs once per integration run: checks Postgres and Redis are reachable, creates a template database
 * and migrates every service's schema into it. Each test file then clones it (`createTestDatabase`).
 */
import { randomBytes } from 'node:crypto';
import { createDatabase, migrateToLatest } from '@llmgw/db';
import {
  createEmptyDatabase,
  dropStaleTestDatabases,
  TEST_ADMIN_URL_ENV,
  TEST_TEMPLATE_ENV,
} from '@llmgw/db/testing';
import { SERVICE_MIGRATIONS } from './service-migrations';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'llmgw_test_';

export default async function globalSetup(): Promise<void> {
  await dropStaleTestDatabases(ADMIN_URL, PREFIX);
  const name = `${PREFIX}${Date.now()}_${randomBytes(3).toString('hex')}`;
  const url = await createEmptyDatabase(ADMIN_URL, name);
  const { db, close } = createDatabase({ connectionString: url, applicationName: 'jest-global-setup' });
  try {
    for (const service of SERVICE_MIGRATIONS) await migrateToLatest(db, service);
  } finally {
    await close();
  }
  process.env[TEST_TEMPLATE_ENV] = name;
  process.env[TEST_ADMIN_URL_ENV] = ADMIN_URL;
}
