import { dropDatabase, TEST_ADMIN_URL_ENV, TEST_TEMPLATE_ENV } from '@llmgw/db/testing';

export default async function globalTeardown(): Promise<void> {
  const name = process.env[TEST_TEMPLATE_ENV];
  const admin = process.env[TEST_ADMIN_URL_ENV];
  if (name && admin) await dropDatabase(admin, name);
}
