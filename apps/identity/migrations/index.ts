import type { ServiceMigrations } from '@llmgw/db';

/** The identity service owns the `identity` schema. Add migrations here, named with a timestamp prefix. */
export const identityMigrations: ServiceMigrations = {
  schema: 'identity',
  migrations: {},
};
