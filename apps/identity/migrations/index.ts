import type { ServiceMigrations } from '@llmgw/db';
import * as m0001 from './20261124_0001_identity';

/** The identity service owns the `identity` schema. Add migrations here, named with a timestamp prefix. */
export const identityMigrations: ServiceMigrations = {
  schema: 'identity',
  migrations: {
    '20261124_0001_identity': m0001,
  },
};
