import type { ServiceMigrations } from '@llmgw/db';
import * as m0001 from './20261123_0001_verification_tokens';
import * as m0002 from './20261127_0001_budget_schedule_outbox';

/** The keys service owns the `keys` schema. Add new migrations here, named with a timestamp prefix. */
export const keysMigrations: ServiceMigrations = {
  schema: 'keys',
  migrations: {
    '20261123_0001_verification_tokens': m0001,
    '20261127_0001_budget_schedule_outbox': m0002,
  },
};
