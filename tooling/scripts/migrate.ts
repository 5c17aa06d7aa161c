import { loadEnv, migrateAll, requireInfrastructure } from './infra';

async function main() {
  loadEnv();
  await requireInfrastructure();
  migrateAll();
}

void main();
