import type { ServiceMigrations } from '@llmgw/db';

/** The spend service owns the `spend` schema. Add migrations here, named with a timestamp prefix. */
export const spendMigrations: ServiceMigrations = {
  schema: 'spend',
  migrations: {},
};
