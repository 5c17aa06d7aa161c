import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from '@llmgw/db';
import type { SelectQueryBuilder } from 'kysely';
import type { SpendDB, SpendLogsTable } from '../db';

type Executor = Kysely<SpendDB> | Transaction<SpendDB>;
export type SpendLogInsert = Insertable<SpendLogsTable>;

/**
 * Which rows a caller may see: everything (admins), or the rows of one user (`user_id` null: none, so a
 * non-admin without a user can never match the rows of keys without a user).
 */
export type RowScope = { all: true } | { all: false; userId: string | null };

export interface LogFilters {
  apiKey?: string | undefined;
  userId?: string | undefined;
  requestId?: string | undefined;
  /** Inclusive lower bound of "startTime". */
  from?: Date | undefined;
  /** Exclusive upper bound of "startTime". */
  to?: Date | undefined;
}

export const LOG_COLUMNS = [
  'request_id',
  'call_type',
  'api_key',
  'spend',
  'total_tokens',
  'prompt_tokens',
  'completion_tokens',
  'startTime',
  'endTime',
  'completionStartTime',
  'model',
  'model_id',
  'model_group',
  'custom_llm_provider',
  'api_base',
  'user',
  'end_user',
  'team_id',
  'organization_id',
  'metadata',
  'cache_hit',
  'cache_key',
  'request_tags',
  'requester_ip_address',
  'session_id',
  'status',
] as const;

/** The columns the worker writes, with their types for `jsonb_to_recordset` (the rest take defaults). */
const INSERT_TYPES: Record<string, string> = {
  call_id: 'text',
  request_id: 'text',
  call_type: 'text',
  api_key: 'text',
  spend: 'numeric',
  total_tokens: 'bigint',
  prompt_tokens: 'bigint',
  completion_tokens: 'bigint',
  startTime: 'timestamptz',
  endTime: 'timestamptz',
  completionStartTime: 'timestamptz',
  model: 'text',
  model_id: 'text',
  model_group: 'text',
  custom_llm_provider: 'text',
  api_base: 'text',
  user: 'text',
  end_user: 'text',
  team_id: 'text',
  organization_id: 'text',
  // JSON documents arrive as strings (see toLogRow) and are parsed by the cast in the select.
  metadata: 'text',
  request_tags: 'text',
  requester_ip_address: 'text',
  session_id: 'text',
  status: 'text',
};
const INSERT_COLUMNS = Object.keys(INSERT_TYPES);
const JSONB_COLUMNS = new Set(['metadata', 'request_tags']);
const RECORD_TYPES = INSERT_COLUMNS.map((c) => `"${c}" ${INSERT_TYPES[c]}`).join(', ');

export type LogRow = Pick<Selectable<SpendLogsTable>, (typeof LOG_COLUMNS)[number]>;

type LogsQuery<O> = SelectQueryBuilder<SpendDB, 'spend.spend_logs', O>;

function scoped<O>(q: LogsQuery<O>, scope: RowScope): LogsQuery<O> {
  if (scope.all) return q;
  if (scope.userId === null) return q.where(sql<boolean>`false`);
  return q.where('user', '=', scope.userId);
}

function filtered<O>(q: LogsQuery<O>, f: LogFilters): LogsQuery<O> {
  let out = q;
  if (f.apiKey !== undefined) out = out.where('api_key', '=', f.apiKey);
  if (f.userId !== undefined) out = out.where('user', '=', f.userId);
  if (f.requestId !== undefined) out = out.where('request_id', '=', f.requestId);
  if (f.from !== undefined) out = out.where('startTime', '>=', f.from);
  if (f.to !== undefined) out = out.where('startTime', '<', f.to);
  return out;
}

const utcDate = sql`("startTime" at time zone 'UTC')::date`;
/** The UTC day of "startTime" as `YYYY-MM-DD`. */
const day = sql<string>`to_char(${utcDate}, 'YYYY-MM-DD')`;

export interface BreakdownRow {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  dimension: 'total' | 'key' | 'user' | 'model';
  /** The key hash, user id or model; null for the day's total (and for calls without a user). */
  name: string | null;
  spend: number;
}

export type InsertOutcome = 'inserted' | 'duplicate' | 'request_id_taken';

/** All SQL of `spend.spend_logs`. The caller owns the transaction. */
export const spendLogsRepository = {
  /**
   * Inserts a log row unless one with its call id (or request id) exists. `duplicate`: this call was
   * recorded before (a redelivered job); `request_id_taken`: another call has this request id (an
   * upstream that repeats completion ids).
   */
  async insert(tx: Executor, row: SpendLogInsert): Promise<InsertOutcome> {
    const inserted = await tx
      .insertInto('spend.spend_logs')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .returning('call_id')
      .executeTakeFirst();
    if (inserted) return 'inserted';
    const existing = await tx
      .selectFrom('spend.spend_logs')
      .select('call_id')
      .where('call_id', '=', row.call_id)
      .executeTakeFirst();
    return existing ? 'duplicate' : 'request_id_taken';
  },

  /**
   * Inserts many rows; answers the call ids that were new. Rows are sorted by call id so that
   * concurrent batches take the index locks in one order.
   */
  async insertMany(tx: Executor, rows: SpendLogInsert[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    // The rows travel as one JSON parameter: a multi-row VALUES list would bind ~25 parameters per row,
    // which both the driver and Postgres's parser pay for on every batch.
    const { rows: inserted } = await sql<{ call_id: string }>`
      insert into spend.spend_logs (${sql.raw(INSERT_COLUMNS.map((c) => `"${c}"`).join(', '))})
      select ${sql.raw(INSERT_COLUMNS.map((c) => (JSONB_COLUMNS.has(c) ? `"${c}"::jsonb` : `"${c}"`)).join(', '))}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${sql.raw(RECORD_TYPES)})
      order by call_id
      on conflict do nothing
      returning call_id`.execute(tx);
    return new Set(inserted.map((r) => r.call_id));
  },

  async existingCallIds(db: Executor, callIds: string[]): Promise<Set<string>> {
    if (callIds.length === 0) return new Set();
    const rows = await db
      .selectFrom('spend.spend_logs')
      .select('call_id')
      .where('call_id', 'in', callIds)
      .execute();
    return new Set(rows.map((r) => r.call_id));
  },

  async list(db: Executor, f: LogFilters, scope: RowScope, limit: number): Promise<LogRow[]> {
    const q = db.selectFrom('spend.spend_logs').select(LOG_COLUMNS);
    return (await filtered(scoped(q, scope), f)
      .orderBy('startTime', 'desc')
      .orderBy('call_id')
      .limit(limit)
      .execute()) as LogRow[];
  },

  /**
   * Exact sums per day, and per day and key, user or model (one grouping-sets query): the input of
   * /spend/logs?summarize=true. `dimension` says which sum a row is.
   */
  async dailyBreakdown(db: Executor, f: LogFilters, scope: RowScope): Promise<BreakdownRow[]> {
    const q = db.selectFrom('spend.spend_logs').select([
      day.as('date'),
      sql<'total' | 'key' | 'user' | 'model'>`case
          when grouping(api_key) = 0 then 'key'
          when grouping("user") = 0 then 'user'
          when grouping(model) = 0 then 'model'
          else 'total' end`.as('dimension'),
      sql<string | null>`coalesce(api_key, "user", model)`.as('name'),
      sql<number>`sum(spend)`.as('spend'),
    ]);
    return filtered(scoped(q, scope), f)
      .groupBy(
        sql`grouping sets ((${utcDate}), (${utcDate}, api_key), (${utcDate}, "user"), (${utcDate}, model))`,
      )
      .orderBy(sql`1`)
      .execute();
  },

  async totalSince(db: Executor, since: Date, scope: RowScope): Promise<number> {
    const q = db
      .selectFrom('spend.spend_logs')
      .select(sql<number>`coalesce(sum(spend), 0)`.as('spend'))
      .where('startTime', '>=', since);
    const row = await scoped(q, scope).executeTakeFirst();
    return Number(row?.spend ?? 0);
  },

  /** Spend per day since `since` (LiteLLM's MonthlyGlobalSpend / MonthlyGlobalSpendPerKey views). */
  async spendPerDay(db: Executor, since: Date, scope: RowScope, apiKey: string | undefined) {
    const q = db
      .selectFrom('spend.spend_logs')
      .select([day.as('date'), sql<number>`sum(spend)`.as('spend')])
      .where('startTime', '>=', since);
    return filtered(scoped(q, scope), { apiKey }).groupBy(sql`1`).orderBy(sql`1`).execute();
  },

  /** Keys by spend since `since` (LiteLLM's Last30dKeysBySpend view). */
  async topKeys(db: Executor, since: Date, scope: RowScope, limit: number | undefined) {
    let q = db
      .selectFrom('spend.spend_logs')
      .select([
        'api_key',
        sql<number>`sum(spend)`.as('total_spend'),
        sql<string | null>`max(metadata->>'user_api_key_alias')`.as('key_alias'),
        sql<string | null>`max(metadata->>'user_api_key_name')`.as('key_name'),
      ])
      .where('startTime', '>=', since);
    q = scoped(q, scope);
    const ordered = q.groupBy('api_key').orderBy('total_spend', 'desc').orderBy('api_key');
    return (limit === undefined ? ordered : ordered.limit(limit)).execute();
  },

  /** Spend per (day, team) since `since`, with the team's alias as the logs last named it. */
  async spendPerTeamAndDay(db: Executor, since: Date, scope: RowScope) {
    const q = db
      .selectFrom('spend.spend_logs')
      .select([
        day.as('date'),
        'team_id',
        sql<string | null>`max(metadata->>'user_api_key_team_alias')`.as('team_alias'),
        sql<number>`sum(spend)`.as('spend'),
      ])
      .where('startTime', '>=', since);
    return scoped(q, scope).groupBy([sql`1`, 'team_id']).orderBy(sql`1`).orderBy('team_id').execute();
  },

  /** Models by spend since `since` (LiteLLM's Last30dModelsBySpend view), with their tokens. */
  async topModels(db: Executor, since: Date, scope: RowScope, limit: number) {
    const q = db
      .selectFrom('spend.spend_logs')
      .select([
        'model',
        sql<number>`sum(spend)`.as('total_spend'),
        sql<number>`sum(total_tokens)`.as('total_tokens'),
      ])
      .where('startTime', '>=', since)
      .where('model', '<>', '');
    return scoped(q, scope)
      .groupBy('model')
      .orderBy('total_spend', 'desc')
      .orderBy('model')
      .limit(limit)
      .execute();
  },

  /** The top 100 end users by spend in [from, to), optionally of one key. */
  async topEndUsers(db: Executor, from: Date, to: Date, apiKey: string | undefined, scope: RowScope) {
    const q = db
      .selectFrom('spend.spend_logs')
      .select([
        'end_user',
        sql<number>`count(*)`.as('total_count'),
        sql<number>`sum(spend)`.as('total_spend'),
      ])
      .where('end_user', 'is not', null)
      .where('end_user', '<>', '');
    return filtered(scoped(q, scope), { apiKey, from, to })
      .groupBy('end_user')
      .orderBy('total_spend', 'desc')
      .orderBy('end_user')
      .limit(100)
      .execute();
  },
};
