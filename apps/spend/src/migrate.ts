import { databaseEnv, parseEnv, z } from '@llmgw/config';
import { runMigrateCli } from '@llmgw/db';
import { spendMigrations } from '../migrations';

const env = parseEnv(z.object(databaseEnv));
void runMigrateCli('spend', spendMigrations, env.DATABASE_URL);
