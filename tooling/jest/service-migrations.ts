/**
 * Every service's migrations, for the integration-test template database. Test infrastructure is the
 * one place that sees all schemas at once; services never import each other's migrations.
 */
import type { ServiceMigrations } from '@llmgw/db';
import { identityMigrations } from '../../apps/identity/migrations';
import { keysMigrations } from '../../apps/keys/migrations';
import { spendMigrations } from '../../apps/spend/migrations';

export const SERVICE_MIGRATIONS: ServiceMigrations[] = [identityMigrations, keysMigrations, spendMigrations];
