import { type Kysely, sql } from 'kysely';

/**
 * Virtual keys, LiteLLM's `LiteLLM_VerificationToken` row. Only the sha256 of a key is stored (`token`).
 * Money is numeric(20,10): exact sums, mapped to JS numbers by @llmgw/db.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('verification_tokens')
    .addColumn('token', 'char(64)', (c) => c.primaryKey())
    .addColumn('key_name', 'text', (c) => c.notNull())
    .addColumn('key_alias', 'text')
    .addColumn('spend', 'numeric(20, 10)', (c) => c.notNull().defaultTo(0))
    .addColumn('expires', 'timestamptz')
    .addColumn('models', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('aliases', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('permissions', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('user_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('organization_id', 'text')
    .addColumn('blocked', 'boolean')
    .addColumn('max_parallel_requests', 'integer')
    .addColumn('tpm_limit', 'bigint')
    .addColumn('rpm_limit', 'bigint')
    .addColumn('max_budget', 'numeric(20, 10)')
    .addColumn('soft_budget', 'numeric(20, 10)')
    .addColumn('budget_duration', 'text')
    .addColumn('budget_reset_at', 'timestamptz')
    .addColumn('allowed_cache_controls', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('allowed_routes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('model_spend', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('model_max_budget', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('key_type', 'text', (c) => c.notNull().defaultTo('default'))
    .addColumn('rotation_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('auto_rotate', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('rotation_interval', 'text')
    .addColumn('last_rotation_at', 'timestamptz')
    .addColumn('key_rotation_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'text')
    .execute();
  // Aliases are unique across all keys (LiteLLM checks in code; we let Postgres make it race-free).
  await db.schema
    .createIndex('verification_tokens_key_alias_key')
    .on('verification_tokens')
    .column('key_alias')
    .unique()
    .execute();
  await db.schema
    .createIndex('verification_tokens_user_id_idx')
    .on('verification_tokens')
    .column('user_id')
    .execute();
  await db.schema
    .createIndex('verification_tokens_team_id_idx')
    .on('verification_tokens')
    .column('team_id')
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('verification_tokens').execute();
}
