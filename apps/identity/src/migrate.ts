import { databaseEnv, parseEnv, z } from '@llmgw/config';
import { runMigrateCli } from '@llmgw/db';
import { identityMigrations } from '../migrations';

const env = parseEnv(z.object(databaseEnv));
void runMigrateCli('identity', identityMigrations, env.DATABASE_URL);
