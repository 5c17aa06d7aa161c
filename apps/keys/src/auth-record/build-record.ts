import { effectiveRole } from '@llmgw/auth';
import type { AuthRecord } from '@llmgw/contracts';
import type { KeyFacts } from '../identity/identity-client';
import type { KeyRow } from '../keys/keys.repository';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

type FactLimits = {
  max_budget: number | null;
  spend: number;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_parallel_requests: number | null;
  budget_duration: string | null;
  budget_reset_at: string | null;
};

const limits = (f: FactLimits) => ({
  maxBudget: f.max_budget,
  spend: f.spend,
  tpmLimit: f.tpm_limit,
  rpmLimit: f.rpm_limit,
  maxParallelRequests: f.max_parallel_requests,
  budgetDuration: f.budget_duration,
  budgetResetAt: f.budget_reset_at,
});

/**
 * The record the gateway decides on: the key row plus identity's facts about its owner, team and the
 * owner's membership in the team. Facts are only used when they belong to this key's user and team.
 */
export function buildAuthRecord(row: KeyRow, gen: number, facts: KeyFacts): AuthRecord {
  const user = facts.user && facts.user.user_id === row.user_id ? facts.user : null;
  const team = facts.team && facts.team.team_id === row.team_id ? facts.team : null;
  const membership = user && team ? facts.membership : null;
  const owner = user
    ? {
        userId: user.user_id,
        role: effectiveRole(user.user_role),
        models: user.models,
        ...limits(user),
      }
    : null;
  return {
    found: true,
    gen,
    token: row.token,
    keyName: row.key_name,
    keyAlias: row.key_alias,
    userId: row.user_id,
    teamId: row.team_id,
    organizationId: row.organization_id,
    userRole: owner?.role ?? null,
    models: row.models,
    aliases: row.aliases,
    blocked: row.blocked === true,
    expires: iso(row.expires),
    spend: row.spend,
    maxBudget: row.max_budget,
    softBudget: row.soft_budget,
    budgetDuration: row.budget_duration,
    budgetResetAt: iso(row.budget_reset_at),
    tpmLimit: row.tpm_limit,
    rpmLimit: row.rpm_limit,
    maxParallelRequests: row.max_parallel_requests,
    allowedRoutes: row.allowed_routes,
    metadata: row.metadata,
    keyType: row.key_type,
    owner,
    team: team
      ? {
          teamId: team.team_id,
          teamAlias: team.team_alias,
          blocked: team.blocked,
          models: team.models,
          modelAliases: team.model_aliases,
          ...limits(team),
        }
      : null,
    membership: membership ? { role: membership.role, ...limits(membership) } : null,
  };
}
