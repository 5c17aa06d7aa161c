import { randomUUID } from 'node:crypto';
import type { TeamRow } from './teams.repository';

/**
 * A new membership. A member without a budget of its own gets the team's default member budget and
 * limits (`team_member_budget`, `team_member_tpm_limit`, `team_member_rpm_limit`), as in LiteLLM; a
 * `budget_id` is minted whenever the member has any budget or limit, so it shows a budget table.
 */
export function membershipValues(
  team: TeamRow,
  userId: string,
  role: 'admin' | 'user',
  maxBudgetInTeam: number | null | undefined,
  at: Date,
) {
  const maxBudget = maxBudgetInTeam ?? team.team_member_budget;
  const tpm = team.team_member_tpm_limit;
  const rpm = team.team_member_rpm_limit;
  return {
    user_id: userId,
    team_id: team.team_id,
    role,
    max_budget: maxBudget,
    tpm_limit: tpm,
    rpm_limit: rpm,
    max_parallel_requests: null,
    budget_duration: null,
    budget_reset_at: null,
    budget_id: maxBudget !== null || tpm !== null || rpm !== null ? randomUUID() : null,
    created_at: at,
    updated_at: at,
  };
}
