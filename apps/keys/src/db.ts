import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** `keys.verification_tokens` (see migrations/20261123_0001). */
export interface VerificationTokensTable {
  token: string;
  key_name: string;
  key_alias: string | null;
  spend: Generated<number>;
  expires: Timestamp | null;
  models: Json<string[]>;
  aliases: Json<Record<string, string>>;
  config: Json<Record<string, unknown>>;
  permissions: Json<Record<string, unknown>>;
  metadata: Json<Record<string, unknown>>;
  user_id: string | null;
  team_id: string | null;
  organization_id: string | null;
  blocked: boolean | null;
  max_parallel_requests: number | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_budget: number | null;
  soft_budget: number | null;
  budget_duration: string | null;
  budget_reset_at: Timestamp | null;
  allowed_cache_controls: Json<string[]>;
  allowed_routes: Json<string[]>;
  model_spend: Json<Record<string, number>>;
  model_max_budget: Json<Record<string, unknown>>;
  key_type: Generated<string>;
  rotation_count: Generated<number>;
  auto_rotate: Generated<boolean>;
  rotation_interval: string | null;
  last_rotation_at: Timestamp | null;
  key_rotation_at: Timestamp | null;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_by: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string | null;
}

/** `keys.budget_schedule_outbox` (see migrations/20261127_0001). */
export interface BudgetScheduleOutboxTable {
  id: Generated<number>;
  token: string;
  attempts: Generated<number>;
  last_error: string | null;
  next_attempt_at: Timestamp;
  created_at: Timestamp;
}

export interface KeysDB {
  'keys.verification_tokens': VerificationTokensTable;
  'keys.budget_schedule_outbox': BudgetScheduleOutboxTable;
}
