import { type Kysely, sql } from 'kysely';

/**
 * People: LiteLLM's user, team, team-membership and invitation rows, plus an outbox of auth
 * invalidations owed to the keys service. Money is numeric(20,10) (exact sums, JS numbers via
 * @llmgw/db). A user's `teams` and a team's `members_with_roles` are derived from team_memberships, so
 * the two can never disagree.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('user_alias', 'text')
    .addColumn('team_id', 'text')
    .addColumn('sso_user_id', 'text', (c) => c.unique())
    .addColumn('organization_id', 'text')
    // argon2id PHC string; never selected into a response.
    .addColumn('password_hash', 'text')
    .addColumn('user_role', 'text', (c) =>
      c.check(
        sql`user_role in ('proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer')`,
      ),
    )
    .addColumn('max_budget', 'numeric(20, 10)')
    .addColumn('spend', 'numeric(20, 10)', (c) => c.notNull().defaultTo(0))
    .addColumn('user_email', 'text')
    .addColumn('models', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('max_parallel_requests', 'integer')
    .addColumn('tpm_limit', 'bigint')
    .addColumn('rpm_limit', 'bigint')
    .addColumn('budget_duration', 'text')
    .addColumn('budget_reset_at', 'timestamptz')
    .addColumn('allowed_cache_controls', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('model_spend', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('model_max_budget', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Emails are unique case-insensitively (LiteLLM checks in /user/new only; Postgres makes it race-free).
  await db.schema
    .createIndex('users_email_lower_key')
    .on('users')
    .unique()
    .expression(sql`lower(user_email)`)
    .execute();

  await db.schema
    .createTable('teams')
    .addColumn('team_id', 'text', (c) => c.primaryKey())
    .addColumn('team_alias', 'text')
    .addColumn('organization_id', 'text')
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('max_budget', 'numeric(20, 10)')
    .addColumn('spend', 'numeric(20, 10)', (c) => c.notNull().defaultTo(0))
    .addColumn('models', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('max_parallel_requests', 'integer')
    .addColumn('tpm_limit', 'bigint')
    .addColumn('rpm_limit', 'bigint')
    .addColumn('budget_duration', 'text')
    .addColumn('budget_reset_at', 'timestamptz')
    .addColumn('blocked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('model_aliases', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('team_member_permissions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('team_member_budget', 'numeric(20, 10)')
    .addColumn('team_member_rpm_limit', 'bigint')
    .addColumn('team_member_tpm_limit', 'bigint')
    .addColumn('team_member_key_duration', 'text')
    .addColumn('model_spend', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('model_max_budget', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('team_memberships')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id').onDelete('cascade'))
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.team_id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'user')`))
    .addColumn('spend', 'numeric(20, 10)', (c) => c.notNull().defaultTo(0))
    // Set when the member gets a budget or limits of its own (LiteLLM's LiteLLM_BudgetTable row id).
    .addColumn('budget_id', 'text')
    .addColumn('max_budget', 'numeric(20, 10)')
    .addColumn('tpm_limit', 'bigint')
    .addColumn('rpm_limit', 'bigint')
    .addColumn('max_parallel_requests', 'integer')
    .addColumn('budget_duration', 'text')
    .addColumn('budget_reset_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Insertion order: members (and a user's teams) are listed in the order they joined.
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_memberships_pkey', ['user_id', 'team_id'])
    .execute();
  await db.schema
    .createIndex('team_memberships_team_id_idx')
    .on('team_memberships')
    .column('team_id')
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id').onDelete('cascade'))
    .addColumn('is_accepted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text', (c) => c.references('users.user_id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'text', (c) => c.references('users.user_id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('invitations_user_id_idx').on('invitations').column('user_id').execute();

  // Invalidations owed to the keys service, written in the same transaction as the change, delivered
  // after commit and retried until the keys service has them (a crash or a keys outage loses none).
  await db.schema
    .createTable('auth_outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('team_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['auth_outbox', 'invitations', 'team_memberships', 'teams', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
