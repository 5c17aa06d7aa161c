import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

/** `identity.users`: LiteLLM_UserTable (see migrations/20261124_0001). */
export interface UsersTable {
  user_id: string;
  user_alias: string | null;
  team_id: string | null;
  sso_user_id: string | null;
  organization_id: string | null;
  /** argon2id PHC string. Never selected into a response (see users.repository USER_COLUMNS). */
  password_hash: string | null;
  user_role: string | null;
  max_budget: number | null;
  spend: Generated<number>;
  user_email: string | null;
  models: Json<string[]>;
  metadata: Json<Record<string, unknown>>;
  max_parallel_requests: number | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  budget_duration: string | null;
  budget_reset_at: Timestamp | null;
  allowed_cache_controls: Json<string[]>;
  model_spend: Json<Record<string, number>>;
  model_max_budget: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** `identity.teams`: LiteLLM_TeamTable; members live in team_memberships. */
export interface TeamsTable {
  team_id: string;
  team_alias: string | null;
  organization_id: string | null;
  metadata: Json<Record<string, unknown>>;
  max_budget: number | null;
  spend: Generated<number>;
  models: Json<string[]>;
  max_parallel_requests: number | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  budget_duration: string | null;
  budget_reset_at: Timestamp | null;
  blocked: Generated<boolean>;
  model_aliases: Json<Record<string, string>>;
  team_member_permissions: Json<string[]>;
  team_member_budget: number | null;
  team_member_rpm_limit: number | null;
  team_member_tpm_limit: number | null;
  team_member_key_duration: string | null;
  model_spend: Json<Record<string, number>>;
  model_max_budget: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

/** `identity.team_memberships`: LiteLLM_TeamMembership with its budget row folded in. */
export interface TeamMembershipsTable {
  user_id: string;
  team_id: string;
  role: 'admin' | 'user';
  spend: Generated<number>;
  budget_id: string | null;
  max_budget: number | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_parallel_requests: number | null;
  budget_duration: string | null;
  budget_reset_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  /** Join order. */
  seq: Generated<number>;
}

/** `identity.invitations`: LiteLLM_InvitationLink. */
export interface InvitationsTable {
  id: string;
  user_id: string;
  is_accepted: Generated<boolean>;
  accepted_at: Timestamp | null;
  expires_at: Timestamp;
  created_at: CreatedAt;
  created_by: string | null;
  updated_at: CreatedAt;
  updated_by: string | null;
}

/** `identity.auth_outbox`: invalidations owed to the keys service. */
export interface AuthOutboxTable {
  id: Generated<number>;
  user_ids: Json<string[]>;
  team_ids: Json<string[]>;
  attempts: Generated<number>;
  last_error: string | null;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: CreatedAt;
}

/** `identity.budget_schedule_outbox`: budget schedules owed to the spend service. */
export interface BudgetScheduleOutboxTable {
  id: Generated<number>;
  entity_kind: 'user' | 'team' | 'member';
  /** user id, team id, or `<team id>:<user id>` (a membership). */
  entity_id: string;
  attempts: Generated<number>;
  last_error: string | null;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: CreatedAt;
}

export interface IdentityDB {
  'identity.users': UsersTable;
  'identity.teams': TeamsTable;
  'identity.team_memberships': TeamMembershipsTable;
  'identity.invitations': InvitationsTable;
  'identity.auth_outbox': AuthOutboxTable;
  'identity.budget_schedule_outbox': BudgetScheduleOutboxTable;
}
