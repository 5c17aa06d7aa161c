import { databaseEnv, parseEnv, z } from '@llmgw/config';
import { runMigrateCli } from '@llmgw/db';
import { keysMigrations } from '../migrations';

const env = parseEnv(z.object(databaseEnv));
void runMigrateCli('keys', keysMigrations, env.DATABASE_URL);
