import { type Kysely, sql } from 'kysely';

/**
 * Budget schedules owed to the spend service: a key write that sets, changes or clears a key's
 * `budget_duration` (generate, update, regenerate, delete) adds a row naming the key hash in the same
 * transaction; the row is delivered after commit and retried until spend has it. Delivery sends the key's
 * schedule as it is then (none when the hash is gone), so rows can never be applied out of order.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema by design
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('budget_schedule_outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('token', 'text', (c) => c.notNull())
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
