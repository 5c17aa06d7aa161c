import { iso } from '../lib/wire';
import type { MemberRow, MembershipRow, TeamRow } from './teams.repository';

/** LiteLLM's `members_with_roles` entry. */
export const memberToWire = (m: MemberRow) => ({
  role: m.role,
  user_id: m.user_id,
  user_email: m.user_email,
});

/** LiteLLM_TeamTable on the wire; `members_with_roles` is derived from the memberships. */
export function teamToWire(team: TeamRow, members: MemberRow[]) {
  return {
    team_id: team.team_id,
    team_alias: team.team_alias,
    organization_id: team.organization_id,
    // Deprecated in LiteLLM (never filled by /team/new); members are in members_with_roles.
    admins: [] as string[],
    members: [] as string[],
    members_with_roles: members.filter((m) => m.team_id === team.team_id).map(memberToWire),
    team_member_permissions: team.team_member_permissions,
    metadata: team.metadata,
    tpm_limit: team.tpm_limit,
    rpm_limit: team.rpm_limit,
    max_budget: team.max_budget,
    budget_duration: team.budget_duration,
    budget_reset_at: iso(team.budget_reset_at),
    models: team.models,
    blocked: team.blocked,
    spend: team.spend,
    max_parallel_requests: team.max_parallel_requests,
    model_aliases: team.model_aliases,
    model_id: null,
    model_spend: team.model_spend,
    model_max_budget: team.model_max_budget,
    team_member_budget: team.team_member_budget,
    team_member_rpm_limit: team.team_member_rpm_limit,
    team_member_tpm_limit: team.team_member_tpm_limit,
    team_member_key_duration: team.team_member_key_duration,
    created_at: iso(team.created_at),
    updated_at: iso(team.updated_at),
  };
}
export type WireTeam = ReturnType<typeof teamToWire>;

/** LiteLLM_TeamMembership with its LiteLLM_BudgetTable (null when the member has no budget of its own). */
export function membershipToWire(m: MembershipRow) {
  return {
    user_id: m.user_id,
    team_id: m.team_id,
    spend: m.spend,
    budget_id: m.budget_id,
    litellm_budget_table:
      m.budget_id === null
        ? null
        : {
            budget_id: m.budget_id,
            max_budget: m.max_budget,
            soft_budget: null,
            max_parallel_requests: m.max_parallel_requests,
            tpm_limit: m.tpm_limit,
            rpm_limit: m.rpm_limit,
            model_max_budget: null,
            budget_duration: m.budget_duration,
            budget_reset_at: iso(m.budget_reset_at),
          },
  };
}

/** `team_member_budget_table` of /team/info: the default budget new members get. */
export function teamMemberBudgetTable(team: TeamRow) {
  if (
    team.team_member_budget === null &&
    team.team_member_tpm_limit === null &&
    team.team_member_rpm_limit === null
  ) {
    return null;
  }
  return {
    max_budget: team.team_member_budget,
    tpm_limit: team.team_member_tpm_limit,
    rpm_limit: team.team_member_rpm_limit,
    budget_duration: team.budget_duration,
  };
}
