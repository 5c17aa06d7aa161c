import { type Kysely, sql } from 'kysely';

/**
 * Budget schedules owed to the spend service: a change of a user's, team's or membership's
 * `budget_duration` (or its delete) adds a row in the same transaction; the row is delivered after commit
 * and retried until spend has it. A row names the entity only: delivery sends the entity's schedule as it
 * is then, so rows can never be applied out of order.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('budget_schedule_outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('entity_kind', 'text', (c) =>
      c.notNull().check(sql`entity_kind in ('user', 'team', 'member')`),
    )
    // user id, team id, or `<team id>:<user id>` for a membership (the spend service's member id).
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema by design
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('budget_schedule_outbox').execute();
}
