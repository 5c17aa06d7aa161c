import { type AuthFacts, authFactsQuerySchema, INTERNAL_ROUTES, ROLES, type Role } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import { parseQuery } from '@llmgw/http';
import { Router } from 'express';
import type { IdentityDB } from '../db';
import { iso } from '../lib/wire';
import { teamsRepository } from '../teams/teams.repository';
import { usersRepository } from '../users/users.repository';

const storedRole = (r: string | null): Role | null =>
  (ROLES as readonly string[]).includes(r ?? '') ? (r as Role) : null;

/**
 * What the keys service puts in a key's auth record (internal-routes.ts): the owner's role, models and
 * limits, the team's state and limits, and the owner's membership (per-member budget) in that team.
 * Reached only with a signed principal, and only a proxy admin's (the keys service signs as the system).
 */
export async function authFacts(
  db: Kysely<IdentityDB>,
  userId?: string,
  teamId?: string,
): Promise<
  AuthFacts & {
    team: (AuthFacts['team'] & { team_member_permissions: string[] }) | null;
  }
> {
  const [user, team, membership] = await Promise.all([
    userId ? usersRepository.findById(db, userId) : undefined,
    teamId ? teamsRepository.findById(db, teamId) : undefined,
    userId && teamId ? teamsRepository.membership(db, teamId, userId) : undefined,
  ]);
  return {
    user: user
      ? {
          user_id: user.user_id,
          user_role: storedRole(user.user_role),
          models: user.models,
          max_budget: user.max_budget,
          spend: user.spend,
          tpm_limit: user.tpm_limit,
          rpm_limit: user.rpm_limit,
          max_parallel_requests: user.max_parallel_requests,
          budget_duration: user.budget_duration,
          budget_reset_at: iso(user.budget_reset_at),
        }
      : null,
    team: team
      ? {
          team_id: team.team_id,
          team_alias: team.team_alias,
          blocked: team.blocked,
          models: team.models,
          model_aliases: team.model_aliases,
          team_member_permissions: team.team_member_permissions,
          max_budget: team.max_budget,
          spend: team.spend,
          tpm_limit: team.tpm_limit,
          rpm_limit: team.rpm_limit,
          max_parallel_requests: team.max_parallel_requests,
          budget_duration: team.budget_duration,
          budget_reset_at: iso(team.budget_reset_at),
        }
      : null,
    membership: membership
      ? {
          role: membership.role,
          max_budget: membership.max_budget,
          spend: membership.spend,
          tpm_limit: membership.tpm_limit,
          rpm_limit: membership.rpm_limit,
          max_parallel_requests: membership.max_parallel_requests,
          budget_duration: membership.budget_duration,
          budget_reset_at: iso(membership.budget_reset_at),
        }
      : null,
  };
}

export function authFactsRoutes(db: Kysely<IdentityDB>): Router {
  const router = Router();
  router.get(INTERNAL_ROUTES.authFacts, async (req, res) => {
    const q = parseQuery(authFactsQuerySchema, req.query);
    res.json(await authFacts(db, q.user_id || undefined, q.team_id || undefined));
  });
  return router;
}
