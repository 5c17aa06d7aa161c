import { type Kysely, sql, type Transaction } from '@llmgw/db';
import type { EntityKind, SpendDB } from '../db';

type Executor = Kysely<SpendDB> | Transaction<SpendDB>;

export interface EntityRef {
  kind: EntityKind;
  id: string;
}

/** Spend to add to one entity's total; member rows also name their team and user. */
export interface SpendDelta extends EntityRef {
  amount: number;
  teamId: string | null;
  userId: string | null;
}

export interface TotalsRow {
  entity_kind: EntityKind;
  entity_id: string;
  spend: number;
  budget_duration: string | null;
  budget_reset_at: Date | null;
  reset_seq: number;
}

export interface DueRow extends TotalsRow {
  budget_duration: string;
}

export interface PendingAdjustment {
  id: number;
  entity_kind: EntityKind;
  entity_id: string;
  reset_seq: number;
  amount: number;
}

const TOTALS_COLUMNS = [
  'entity_kind',
  'entity_id',
  'spend',
  'budget_duration',
  'budget_reset_at',
  'reset_seq',
] as const;

const refsWhere = (refs: EntityRef[]) =>
  sql<boolean>`(entity_kind, entity_id) in (${sql.join(refs.map((r) => sql`(${r.kind}, ${r.id})`))})`;

/** All SQL of the `spend.totals` and `spend.budget_resets` tables. The caller owns the transaction. */
export const totalsRepository = {
  /**
   * Adds spend to totals in one statement. Deltas of the same entity are summed by Postgres (numeric,
   * exact, so a total always equals the sum of its log rows), and rows are written in (kind, id) order
   * so that concurrent transactions lock them in the same order and cannot deadlock.
   */
  async addSpend(tx: Executor, deltas: SpendDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    // Five array parameters, whatever the number of deltas (a VALUES list would bind five per delta).
    await sql`
      insert into spend.totals (entity_kind, entity_id, team_id, user_id, spend)
      select k, i, max(t), max(u), sum(a)
      from unnest(
        ${deltas.map((d) => d.kind)}::text[],
        ${deltas.map((d) => d.id)}::text[],
        ${deltas.map((d) => d.teamId)}::text[],
        ${deltas.map((d) => d.userId)}::text[],
        ${deltas.map((d) => String(d.amount))}::numeric[]
      ) as v (k, i, t, u, a)
      group by k, i
      order by k, i
      on conflict (entity_kind, entity_id)
      do update set spend = spend.totals.spend + excluded.spend, updated_at = now()`.execute(tx);
  },

  async find(db: Executor, refs: EntityRef[]): Promise<TotalsRow[]> {
    if (refs.length === 0) return [];
    return db.selectFrom('spend.totals').select(TOTALS_COLUMNS).where(refsWhere(refs)).execute();
  },

  async findForUpdate(tx: Transaction<SpendDB>, ref: EntityRef): Promise<TotalsRow | undefined> {
    return tx
      .selectFrom('spend.totals')
      .select(TOTALS_COLUMNS)
      .where('entity_kind', '=', ref.kind)
      .where('entity_id', '=', ref.id)
      .forUpdate()
      .executeTakeFirst();
  },

  /** Copies one key's total row to another key hash (replacing it), for /key/regenerate. */
  async copyKeyTotals(tx: Executor, from: string, to: string): Promise<TotalsRow | undefined> {
    const row = await tx
      .selectFrom('spend.totals')
      .select(TOTALS_COLUMNS)
      .where('entity_kind', '=', 'key')
      .where('entity_id', '=', from)
      .executeTakeFirst();
    if (!row) return undefined;
    await tx
      .insertInto('spend.totals')
      .values({
        entity_kind: 'key',
        entity_id: to,
        spend: row.spend,
        budget_duration: row.budget_duration,
        budget_reset_at: row.budget_reset_at,
        reset_seq: row.reset_seq,
      })
      .onConflict((oc) =>
        oc.columns(['entity_kind', 'entity_id']).doUpdateSet({
          spend: row.spend,
          budget_duration: row.budget_duration,
          budget_reset_at: row.budget_reset_at,
          reset_seq: row.reset_seq,
          updated_at: sql`now()`,
        }),
      )
      .execute();
    return row;
  },

  /** Creates the row (spend 0) or sets its schedule. */
  async upsertSchedule(
    tx: Executor,
    ref: EntityRef & { teamId: string | null; userId: string | null },
    duration: string | null,
    resetAt: Date | null,
  ): Promise<void> {
    await tx
      .insertInto('spend.totals')
      .values({
        entity_kind: ref.kind,
        entity_id: ref.id,
        team_id: ref.teamId,
        user_id: ref.userId,
        budget_duration: duration,
        budget_reset_at: resetAt,
      })
      .onConflict((oc) =>
        oc.columns(['entity_kind', 'entity_id']).doUpdateSet({
          budget_duration: duration,
          budget_reset_at: resetAt,
          updated_at: sql`now()`,
        }),
      )
      .execute();
  },

  /** Rows whose reset time has come, locked; rows another runner holds are skipped. */
  async lockDue(tx: Transaction<SpendDB>, now: Date, limit: number): Promise<DueRow[]> {
    const rows = await tx
      .selectFrom('spend.totals')
      .select(TOTALS_COLUMNS)
      .where('budget_reset_at', '<=', now)
      .where('budget_duration', 'is not', null)
      .orderBy('budget_reset_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows as DueRow[];
  },

  /**
   * Zeroes one locked row, moves its next reset and records the reset (with the amount it removed) in
   * `budget_resets`, the outbox of Redis counter adjustments.
   */
  async reset(
    tx: Transaction<SpendDB>,
    row: TotalsRow,
    next: Date | null,
    now: Date,
    reason: 'budget_duration' | 'global_reset',
  ): Promise<void> {
    const seq = row.reset_seq + 1;
    await tx
      .updateTable('spend.totals')
      .set({ spend: 0, reset_seq: seq, budget_reset_at: next, last_reset_at: now, updated_at: now })
      .where('entity_kind', '=', row.entity_kind)
      .where('entity_id', '=', row.entity_id)
      .execute();
    await tx
      .insertInto('spend.budget_resets')
      .values({
        entity_kind: row.entity_kind,
        entity_id: row.entity_id,
        reset_seq: seq,
        amount: row.spend,
        reason,
        reset_at: now,
      })
      .execute();
  },

  /**
   * LiteLLM's /global/spend/reset: every key and team total to 0, in one statement (logs stay). Each
   * reset is recorded like a scheduled one, so the Redis counters are adjusted the same way.
   */
  async resetAllKeysAndTeams(db: Executor, now: Date): Promise<number> {
    const result = await sql<{ n: number }>`
      with old as (
        select entity_kind, entity_id, spend from spend.totals
        where entity_kind in ('key', 'team') and spend <> 0
        for update
      ), upd as (
        update spend.totals t
        set spend = 0, reset_seq = t.reset_seq + 1, last_reset_at = ${now}, updated_at = ${now}
        from old
        where t.entity_kind = old.entity_kind and t.entity_id = old.entity_id
        returning t.entity_kind, t.entity_id, t.reset_seq, old.spend as amount
      ), ins as (
        insert into spend.budget_resets (entity_kind, entity_id, reset_seq, amount, reason, reset_at)
        select entity_kind, entity_id, reset_seq, amount, 'global_reset', ${now} from upd
        returning 1
      )
      select count(*)::int as n from ins`.execute(db);
    return result.rows[0]?.n ?? 0;
  },

  /** Resets not yet subtracted from their Redis counters, oldest first (per entity: by sequence). */
  async pendingAdjustments(db: Executor, limit: number): Promise<PendingAdjustment[]> {
    return db
      .selectFrom('spend.budget_resets')
      .select(['id', 'entity_kind', 'entity_id', 'reset_seq', 'amount'])
      .where('redis_applied_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  async markApplied(db: Executor, ids: number[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await db
      .updateTable('spend.budget_resets')
      .set({ redis_applied_at: now })
      .where('id', 'in', ids)
      .execute();
  },
};
