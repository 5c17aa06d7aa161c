import { iso } from '../lib/wire';
import type { UserRow } from './users.repository';

/** LiteLLM_UserTable as returned on the wire. There is no `password` field: it never leaves the service. */
export function userToWire(row: UserRow, teams: string[]) {
  return {
    user_id: row.user_id,
    user_alias: row.user_alias,
    team_id: row.team_id,
    sso_user_id: row.sso_user_id,
    organization_id: row.organization_id,
    teams,
    user_role: row.user_role,
    max_budget: row.max_budget,
    spend: row.spend,
    user_email: row.user_email,
    models: row.models,
    metadata: row.metadata,
    max_parallel_requests: row.max_parallel_requests,
    tpm_limit: row.tpm_limit,
    rpm_limit: row.rpm_limit,
    budget_duration: row.budget_duration,
    budget_reset_at: iso(row.budget_reset_at),
    allowed_cache_controls: row.allowed_cache_controls,
    model_spend: row.model_spend,
    model_max_budget: row.model_max_budget,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
export type WireUser = ReturnType<typeof userToWire>;
