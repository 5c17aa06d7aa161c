import { type Kysely, sql } from 'kysely';

/**
 * Spend: LiteLLM's `LiteLLM_SpendLogs` rows, the running totals of keys, users, teams and team
 * memberships, and the history of budget resets (also the outbox of Redis counter adjustments).
 *
 * - `spend_logs.call_id` (the gateway's call id, the BullMQ job id) is the idempotency key: a spend event
 *   is applied in one transaction that inserts its log row and, only if that row was new, adds its cost
 *   to the totals. `request_id` (the completion id the client saw) is unique too, as in LiteLLM.
 * - `totals.reset_seq` counts budget resets of a row; the Redis budget counters carry the sequence they
 *   were seeded at or last adjusted to, so a reset is subtracted from a counter exactly once and a seed
 *   read before a reset can never land after it.
 * Money is numeric(20,10) (exact sums, JS numbers via @llmgw/db).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('spend_logs')
    .addColumn('call_id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().unique())
    .addColumn('call_type', 'text', (c) => c.notNull())
    .addColumn('api_key', 'text', (c) => c.notNull())
    .addColumn('spend', 'numeric(20, 10)', (c) => c.notNull())
    .addColumn('total_tokens', 'bigint', (c) => c.notNull())
    .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
    .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
    .addColumn('startTime', 'timestamptz', (c) => c.notNull())
    .addColumn('endTime', 'timestamptz', (c) => c.notNull())
    .addColumn('completionStartTime', 'timestamptz')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('model_id', 'text')
    .addColumn('model_group', 'text', (c) => c.notNull())
    .addColumn('custom_llm_provider', 'text')
    .addColumn('api_base', 'text')
    .addColumn('user', 'text')
    .addColumn('end_user', 'text')
    .addColumn('team_id', 'text')
    .addColumn('organization_id', 'text')
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('cache_hit', 'text', (c) => c.notNull().defaultTo('False'))
    .addColumn('cache_key', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('request_tags', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('requester_ip_address', 'text')
    .addColumn('session_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    // When the event was applied (not on the wire): the gap to "endTime" is the spend pipeline's lag.
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  const logIndexes: Record<string, string[]> = {
    spend_logs_start_time_idx: ['startTime'],
    spend_logs_user_start_time_idx: ['user', 'startTime'],
    spend_logs_api_key_start_time_idx: ['api_key', 'startTime'],
    spend_logs_team_start_time_idx: ['team_id', 'startTime'],
  };
  for (const [name, columns] of Object.entries(logIndexes)) {
    await db.schema.createIndex(name).on('spend_logs').columns(columns).execute();
  }

  await db.schema
    .createTable('totals')
    .addColumn('entity_kind', 'text', (c) =>
      c.notNull().check(sql`entity_kind in ('key', 'user', 'team', 'member')`),
    )
    // key: key hash; user: user id; team: team id; member: `<team id>:<user id>` (as the gateway's
    // Redis limit scopes name them).
    .addColumn('entity_id', 'text', (c) => c.notNull())
    // Set on member rows only, so a team's memberships can be listed without parsing entity_id.
    .addColumn('team_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('spend', 'numeric(20, 10)', (c) => c.notNull().defaultTo(0))
    .addColumn('budget_duration', 'text')
    .addColumn('budget_reset_at', 'timestamptz')
    .addColumn('reset_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_reset_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('totals_pkey', ['entity_kind', 'entity_id'])
    .execute();
  await db.schema
    .createIndex('totals_budget_reset_at_idx')
    .on('totals')
    .column('budget_reset_at')
    .where(sql.ref('budget_reset_at'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('totals_member_team_idx')
    .on('totals')
    .column('team_id')
    .where(sql.ref('entity_kind'), '=', 'member')
    .execute();

  await db.schema
    .createTable('budget_resets')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('entity_kind', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('reset_seq', 'bigint', (c) => c.notNull())
    .addColumn('amount', 'numeric(20, 10)', (c) => c.notNull())
    // 'budget_duration' (a scheduled reset) or 'global_reset' (POST /global/spend/reset).
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reset_at', 'timestamptz', (c) => c.notNull())
    // Null until the reset was subtracted from the Redis counter (the outbox of counter adjustments).
    .addColumn('redis_applied_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('budget_resets_pending_idx')
    .on('budget_resets')
    .column('id')
    .where(sql.ref('redis_applied_at'), 'is', null)
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('budget_resets').execute();
  await db.schema.dropTable('totals').execute();
  await db.schema.dropTable('spend_logs').execute();
}
