import type { ServiceMigrations } from '@llmgw/db';
import * as m0001 from './20261125_0001_spend';

/** The spend service owns the `spend` schema. Add migrations here, named with a timestamp prefix. */
export const spendMigrations: ServiceMigrations = {
  schema: 'spend',
  migrations: {
    '20261125_0001_spend': m0001,
  },
};
