import type { ServiceMigrations } from '@llmgw/db';
import * as m0001 from './20261124_0001_identity';
import * as m0002 from './20261126_0001_budget_schedule_outbox';

/** The identity service owns the `identity` schema. Add migrations here, named with a timestamp prefix. */
export const identityMigrations: ServiceMigrations = {
  schema: 'identity',
  migrations: {
    '20261124_0001_identity': m0001,
    '20261126_0001_budget_schedule_outbox': m0002,
  },
};
