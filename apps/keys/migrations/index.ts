import type { ServiceMigrations } from '@llmgw/db';
import * as m0001 from './20261123_0001_verification_tokens';

/** The keys service owns the `keys` schema. Add new migrations here, named with a timestamp prefix. */
export const keysMigrations: ServiceMigrations = {
  schema: 'keys',
  migrations: {
    '20261123_0001_verification_tokens': m0001,
  },
};
