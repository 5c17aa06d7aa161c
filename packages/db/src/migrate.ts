import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

/**
 * Each service owns one Postgres schema and its migrations (`apps/<svc>/migrations/index.ts`, a record
 * of timestamp-prefixed names to `{up, down}`). Migrations are bundled with the service instead of read
 * from disk, so the built `dist/migrate.js` needs nothing beside it.
 */
export interface ServiceMigrations {
  schema: string;
  migrations: Record<string, Migration>;
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations() {
    return this.migrations;
  }
}

export interface MigrationReport {
  applied: string[];
}

/** Brings the service's schema to the latest migration; throws naming the migration that failed. */
export async function migrateToLatest(
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema by design
  db: Kysely<any>,
  { schema, migrations }: ServiceMigrations,
): Promise<MigrationReport> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db: db.withSchema(schema),
    provider: new StaticProvider(migrations),
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(
      `migration ${failed?.migrationName ?? '(unknown)'} of schema ${schema} failed: ${reason}`,
    );
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/**
 * Entry point of each service's `dist/migrate.js`: creates the database if needed, migrates, prints one
 * line and exits 0, or prints the failing migration and exits 1.
 */
export async function runMigrateCli(service: string, migrations: ServiceMigrations, databaseUrl: string) {
  const { ensureDatabase } = await import('./database-url');
  const { createDatabase } = await import('./pool');
  try {
    await ensureDatabase(databaseUrl);
    const { db, close } = createDatabase({
      connectionString: databaseUrl,
      applicationName: `llmgw-${service}-migrate`,
    });
    try {
      const { applied } = await migrateToLatest(db, migrations);
      process.stdout.write(
        `${service}: schema ${migrations.schema} is up to date${applied.length ? ` (applied ${applied.join(', ')})` : ''}\n`,
      );
    } finally {
      await close();
    }
    process.exit(0);
  } catch (err) {
    process.stderr.write(`${service}: migration failed: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
