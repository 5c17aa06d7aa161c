import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type EntityKind = 'key' | 'user' | 'team' | 'member';
export const ENTITY_KINDS: readonly EntityKind[] = ['key', 'user', 'team', 'member'];

/** `spend.spend_logs`: LiteLLM's `LiteLLM_SpendLogs` row plus `call_id` (see migrations/20261125_0001). */
export interface SpendLogsTable {
  call_id: string;
  request_id: string;
  call_type: string;
  api_key: string;
  spend: number;
  total_tokens: number;
  prompt_tokens: number;
  completion_tokens: number;
  startTime: Timestamp;
  endTime: Timestamp;
  completionStartTime: Timestamp | null;
  model: string;
  model_id: string | null;
  model_group: string;
  custom_llm_provider: string | null;
  api_base: string | null;
  user: string | null;
  end_user: string | null;
  team_id: string | null;
  organization_id: string | null;
  metadata: Json<Record<string, unknown>>;
  cache_hit: Generated<string>;
  cache_key: Generated<string>;
  request_tags: Json<string[]>;
  requester_ip_address: string | null;
  session_id: string | null;
  status: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** `spend.totals`: running spend of one key, user, team or membership, and its reset schedule. */
export interface TotalsTable {
  entity_kind: EntityKind;
  entity_id: string;
  team_id: string | null;
  user_id: string | null;
  spend: Generated<number>;
  budget_duration: string | null;
  budget_reset_at: Timestamp | null;
  reset_seq: Generated<number>;
  last_reset_at: Timestamp | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** `spend.budget_resets`: every reset, and the outbox of Redis counter adjustments still owed. */
export interface BudgetResetsTable {
  id: Generated<number>;
  entity_kind: EntityKind;
  entity_id: string;
  reset_seq: number;
  amount: number;
  reason: 'budget_duration' | 'global_reset';
  reset_at: Timestamp;
  redis_applied_at: Timestamp | null;
}

export interface SpendDB {
  'spend.spend_logs': SpendLogsTable;
  'spend.totals': TotalsTable;
  'spend.budget_resets': BudgetResetsTable;
}
