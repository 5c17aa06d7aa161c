import { randomUUID } from 'node:crypto';
import { nextBudgetReset, PROXY_ADMIN_ID, type Principal, parseDuration } from '@llmgw/contracts';
import { type IdentityContext, inTransaction, type Tx } from '../context';
import { unavailable } from '../lib/errors';
import { memberRef, type ScheduleRef } from '../outbox/budget-schedule-outbox';
import { loadSpendView, membershipWithTotals, withTotals } from '../spend/spend-view';
import { EmailTakenError, type UserRow, usersRepository } from '../users/users.repository';
import { userToWire } from '../users/users.wire';
import { membershipValues } from './memberships';
import { teamErrors } from './teams.errors';
import {
  type MemberRow,
  type MembershipUpdate,
  type TeamRow,
  type TeamUpdate,
  teamsRepository,
} from './teams.repository';
import type {
  MemberAddRequest,
  MemberDeleteRequest,
  MemberInput,
  MemberUpdateRequest,
  NewTeamRequest,
  UpdateTeamRequest,
} from './teams.schemas';
import { membershipToWire, teamMemberBudgetTable, teamToWire } from './teams.wire';

const isAdmin = (p: Principal) => p.role === 'proxy_admin';
const isAdminView = (p: Principal) => p.role === 'proxy_admin' || p.role === 'proxy_admin_viewer';

const resetAt = (durationText: string | null | undefined, at: Date) => {
  const d = durationText ? parseDuration(durationText) : null;
  return d ? nextBudgetReset(at, d) : null;
};

/**
 * The user row of a member: found by id or email, or created as an internal_user (LiteLLM upserts
 * members). The master key's `default_user_id` becomes a proxy_admin row.
 */
async function resolveMemberUser(
  tx: Tx,
  member: { user_id?: string | null; user_email?: string | null },
  at: Date,
): Promise<UserRow> {
  const userId = member.user_id;
  if (userId) {
    const role = userId === PROXY_ADMIN_ID ? 'proxy_admin' : 'internal_user';
    const existing = await usersRepository.findById(tx, userId);
    if (existing) return existing;
    await usersRepository.ensure(tx, userId, role, at);
    // An email that already belongs to someone else is not taken over: the new id is created without it.
    if (member.user_email && !(await usersRepository.findByEmail(tx, member.user_email))) {
      await usersRepository.update(tx, userId, { user_email: member.user_email });
    }
    const row = await usersRepository.findById(tx, userId);
    if (!row) throw new Error(`member ${userId} vanished`);
    return row;
  }
  const email = member.user_email as string;
  const byEmail = await usersRepository.findByEmail(tx, email);
  if (byEmail) return byEmail;
  const newId = randomUUID();
  await usersRepository.ensure(tx, newId, 'internal_user', at);
  let row: UserRow | undefined;
  try {
    row = await usersRepository.update(tx, newId, { user_email: email });
  } catch (err) {
    // Another request created a user with this email in the meantime: nothing was written, retry.
    if (err instanceof EmailTakenError) throw teamErrors.concurrentUser(email);
    throw err;
  }
  if (!row) throw new Error(`member ${newId} vanished`);
  return row;
}

export function createTeamsService(ctx: IdentityContext) {
  const teamWire = async (team: TeamRow) =>
    teamToWire(team, await teamsRepository.members(ctx.db, [team.team_id]));

  /** Proxy admins manage every team; a team admin (role admin in the team) manages its own. */
  const assertMayManage = async (principal: Principal, teamId: string, route: string) => {
    if (isAdmin(principal)) return;
    const m = principal.userId
      ? await teamsRepository.membership(ctx.db, teamId, principal.userId)
      : undefined;
    if (m?.role !== 'admin') throw teamErrors.notTeamAdmin(route, teamId);
  };

  /** The member a member_delete/member_update names, by id or by email. */
  const findMember = async (
    teamId: string,
    input: { user_id?: string | null; user_email?: string | null },
  ) => {
    const members = await teamsRepository.members(ctx.db, [teamId]);
    return members.find(
      (m) =>
        (input.user_id && m.user_id === input.user_id) ||
        (!input.user_id &&
          input.user_email &&
          m.user_email?.toLowerCase() === input.user_email.toLowerCase()),
    );
  };

  return {
    /** `/team/new`: the caller joins as admin when not listed; members are created as users when new. */
    async create(principal: Principal, input: NewTeamRequest) {
      const at = ctx.now();
      const teamId = input.team_id ?? randomUUID();
      const members: MemberInput[] = [...(input.members_with_roles ?? [])];
      if (principal.userId && !members.some((m) => m.user_id === principal.userId)) {
        members.push({ role: 'admin', user_id: principal.userId, user_email: null });
      }
      const metadata = { ...(input.metadata ?? {}), ...(input.tags ? { tags: input.tags } : {}) };
      const team = await inTransaction(ctx, async (tx, invalidate, scheduleBudgets) => {
        const team = await teamsRepository.insertIfAbsent(tx, {
          team_id: teamId,
          team_alias: input.team_alias ?? null,
          organization_id: input.organization_id ?? null,
          metadata: JSON.stringify(metadata),
          max_budget: input.max_budget ?? null,
          models: JSON.stringify(input.models ?? []),
          max_parallel_requests: input.max_parallel_requests ?? null,
          tpm_limit: input.tpm_limit ?? null,
          rpm_limit: input.rpm_limit ?? null,
          budget_duration: input.budget_duration ?? null,
          budget_reset_at: resetAt(input.budget_duration, at),
          blocked: input.blocked ?? false,
          model_aliases: JSON.stringify(input.model_aliases ?? {}),
          team_member_permissions: JSON.stringify(input.team_member_permissions ?? []),
          team_member_budget: input.team_member_budget ?? null,
          team_member_rpm_limit: input.team_member_rpm_limit ?? null,
          team_member_tpm_limit: input.team_member_tpm_limit ?? null,
          team_member_key_duration: input.team_member_key_duration ?? null,
          model_spend: '{}',
          model_max_budget: JSON.stringify(input.model_max_budget ?? {}),
          created_at: at,
          updated_at: at,
        });
        if (!team) throw teamErrors.exists(teamId);
        const userIds: string[] = [];
        for (const member of members) {
          const user = await resolveMemberUser(tx, member, at);
          if (userIds.includes(user.user_id)) continue;
          userIds.push(user.user_id);
          await teamsRepository.addMember(tx, membershipValues(team, user.user_id, member.role, null, at));
        }
        await invalidate({ teamIds: [teamId], userIds });
        if (input.budget_duration) await scheduleBudgets([{ kind: 'team', id: teamId }]);
        return team;
      });
      return teamWire(team);
    },

    /** `/team/update`: every field sent is applied, null included (it resets the field, as in LiteLLM). */
    async update(input: UpdateTeamRequest) {
      const at = ctx.now();
      const team = await inTransaction(ctx, async (tx, invalidate, scheduleBudgets) => {
        const existing = await teamsRepository.findById(tx, input.team_id);
        if (!existing) throw teamErrors.notFound(input.team_id);
        const set: Record<string, unknown> = { updated_at: at };
        const scalar = [
          'team_alias',
          'organization_id',
          'max_budget',
          'tpm_limit',
          'rpm_limit',
          'max_parallel_requests',
          'team_member_budget',
          'team_member_rpm_limit',
          'team_member_tpm_limit',
          'team_member_key_duration',
        ] as const;
        for (const f of scalar) if (input[f] !== undefined) set[f] = input[f];
        if (input.budget_duration !== undefined) {
          set.budget_duration = input.budget_duration;
          set.budget_reset_at = resetAt(input.budget_duration, at);
        }
        if (input.blocked !== undefined) set.blocked = input.blocked ?? false;
        if (input.models !== undefined) set.models = JSON.stringify(input.models ?? []);
        if (input.model_aliases !== undefined) set.model_aliases = JSON.stringify(input.model_aliases ?? {});
        if (input.model_max_budget !== undefined)
          set.model_max_budget = JSON.stringify(input.model_max_budget ?? {});
        if (input.team_member_permissions !== undefined) {
          set.team_member_permissions = JSON.stringify(input.team_member_permissions ?? []);
        }
        if (input.metadata !== undefined || input.tags !== undefined) {
          const base = input.metadata !== undefined ? (input.metadata ?? {}) : existing.metadata;
          set.metadata = JSON.stringify(input.tags ? { ...base, tags: input.tags } : base);
        }
        const team = await teamsRepository.update(tx, input.team_id, set as TeamUpdate);
        if (!team) throw teamErrors.notFound(input.team_id);
        await invalidate({ teamIds: [input.team_id] });
        // Set, changed or cleared (null): spend resets the team's total on the new schedule.
        if (input.budget_duration !== undefined) await scheduleBudgets([{ kind: 'team', id: input.team_id }]);
        return team;
      });
      return { team_id: team.team_id, data: await teamWire(team) };
    },

    /** `/team/delete`: every id must exist; the teams' keys go first (keys service), then the rows. */
    async delete(teamIds: string[]) {
      const ids = [...new Set(teamIds)];
      const found = await teamsRepository.findByIds(ctx.db, ids);
      for (const id of ids) if (!found.some((t) => t.team_id === id)) throw teamErrors.notFound(id);
      try {
        await ctx.keys.deleteByOwner({ userIds: [], teamIds: ids });
      } catch (err) {
        ctx.logger.warn({ err: (err as Error).message }, 'keys service could not delete the keys of teams');
        throw unavailable(
          'the keys service is unavailable, so the teams’ keys could not be deleted; no team was deleted. Retry shortly.',
        );
      }
      await inTransaction(ctx, async (tx, invalidate, scheduleBudgets) => {
        const members = await teamsRepository.members(tx, ids);
        // Schedules of what is deleted are cleared in spend.
        const schedules: ScheduleRef[] = [
          ...found
            .filter((t) => t.budget_duration !== null)
            .map((t) => ({ kind: 'team' as const, id: t.team_id })),
          ...members.filter((m) => m.budget_duration !== null).map((m) => memberRef(m.team_id, m.user_id)),
        ];
        await tx.updateTable('identity.users').set({ team_id: null }).where('team_id', 'in', ids).execute();
        await teamsRepository.deleteByIds(tx, ids);
        await invalidate({ teamIds: ids, userIds: members.map((m) => m.user_id) });
        await scheduleBudgets(schedules);
      });
      return { deleted_teams: ids };
    },

    /** `/team/info`: admins, members, and keys of the team itself may read it. */
    async info(principal: Principal, teamId: string | undefined) {
      if (!teamId) throw teamErrors.infoMissingId();
      const team = await teamsRepository.findById(ctx.db, teamId);
      if (!team) throw teamErrors.infoNotFound(teamId);
      const members = await teamsRepository.members(ctx.db, [teamId]);
      const mayRead =
        isAdminView(principal) ||
        principal.teamId === teamId ||
        (principal.userId !== null && members.some((m) => m.user_id === principal.userId));
      if (!mayRead) throw teamErrors.infoForbidden(principal.userId, teamId);
      const [keys, spend] = await Promise.all([
        // Key rows come from the keys service with their spend totals already in them.
        ctx.keys.listKeys({ team_id: teamId }),
        loadSpendView(ctx.spend, ctx.logger, {
          teamIds: [teamId],
          memberships: members.map((m) => ({ team_id: m.team_id, user_id: m.user_id })),
        }),
      ]);
      if (keys === null) ctx.logger.warn({ teamId }, 'keys service could not list keys for /team/info');
      return {
        value: {
          team_id: teamId,
          team_info: withTotals(
            { ...teamToWire(team, members), team_member_budget_table: teamMemberBudgetTable(team) },
            spend.team(teamId),
          ),
          keys: keys ?? [],
          team_memberships: members.map((m) =>
            membershipWithTotals(membershipToWire(m), spend.member(m.team_id, m.user_id)),
          ),
        },
        spendStale: spend.stale,
      };
    },

    /** `/team/list`: admins see every team; other callers only their own (with `user_id` = themselves). */
    async list(principal: Principal, query: { user_id?: string; organization_id?: string }) {
      if (!isAdminView(principal) && (!query.user_id || query.user_id !== principal.userId)) {
        throw teamErrors.listForbidden(principal.role);
      }
      let teamIds: string[] | undefined;
      if (query.user_id) {
        if (!(await usersRepository.findById(ctx.db, query.user_id)))
          throw teamErrors.listUserNotFound(query.user_id);
        teamIds = (await teamsRepository.membershipsOfUser(ctx.db, query.user_id)).map((m) => m.team_id);
      }
      const teams = await teamsRepository.list(ctx.db, { teamIds, organizationId: query.organization_id });
      const members = await teamsRepository.members(
        ctx.db,
        teams.map((t) => t.team_id),
      );
      const visible = members.filter((m) => isAdminView(principal) || m.user_id === principal.userId);
      const [keys, spend] = await Promise.all([
        Promise.all(teams.map((t) => ctx.keys.listKeys({ team_id: t.team_id }))),
        loadSpendView(ctx.spend, ctx.logger, {
          teamIds: teams.map((t) => t.team_id),
          memberships: visible.map((m) => ({ team_id: m.team_id, user_id: m.user_id })),
        }),
      ]);
      return {
        value: teams.map((t, i) => ({
          ...withTotals(teamToWire(t, members), spend.team(t.team_id)),
          team_memberships: visible
            .filter((m) => m.team_id === t.team_id)
            .map((m) => membershipWithTotals(membershipToWire(m), spend.member(m.team_id, m.user_id))),
          keys: keys[i] ?? [],
        })),
        spendStale: spend.stale,
      };
    },

    /** `/team/member_add`: proxy admins and the team's admins; unknown ids/emails become users. */
    async memberAdd(principal: Principal, input: MemberAddRequest) {
      const at = ctx.now();
      const team = await teamsRepository.findById(ctx.db, input.team_id);
      if (!team) throw teamErrors.memberAddTeamNotFound(input.team_id);
      await assertMayManage(principal, input.team_id, '/team/member_add');
      const wanted = Array.isArray(input.member) ? input.member : [input.member];
      const result = await inTransaction(ctx, async (tx, invalidate) => {
        const existing = await teamsRepository.members(tx, [team.team_id]);
        const isMember = (m: MemberInput) =>
          existing.some(
            (e) =>
              (m.user_id && e.user_id === m.user_id) ||
              (m.user_email && e.user_email?.toLowerCase() === m.user_email.toLowerCase()),
          );
        const fresh = wanted.filter((m) => !isMember(m));
        if (fresh.length === 0) {
          const only = wanted[0];
          if (!Array.isArray(input.member) && only) {
            const e = existing.find(
              (x) =>
                x.user_id === only.user_id || x.user_email?.toLowerCase() === only.user_email?.toLowerCase(),
            );
            throw teamErrors.alreadyInTeam(
              { user_id: only.user_id ?? e?.user_id ?? 'None', user_email: only.user_email ?? null },
              existing,
            );
          }
          throw teamErrors.allAlreadyInTeam(existing);
        }
        const users: UserRow[] = [];
        const memberships = [];
        for (const m of fresh) {
          const user = await resolveMemberUser(tx, m, at);
          const added = await teamsRepository.addMember(
            tx,
            membershipValues(team, user.user_id, m.role, input.max_budget_in_team, at),
          );
          if (!added) continue;
          users.push(user);
          memberships.push(added);
        }
        await invalidate({ userIds: users.map((u) => u.user_id) });
        return { users, memberships };
      });
      const teams = await usersRepository.teamsOf(
        ctx.db,
        result.users.map((u) => u.user_id),
      );
      return {
        ...(await teamWire(team)),
        updated_users: result.users.map((u) => userToWire(u, teams.get(u.user_id) ?? [])),
        updated_team_memberships: result.memberships.map(membershipToWire),
      };
    },

    /** `/team/member_delete`: proxy admins and the team's admins. */
    async memberDelete(principal: Principal, input: MemberDeleteRequest) {
      if (!input.user_id && !input.user_email) throw teamErrors.userOrEmailRequired();
      const team = await teamsRepository.findById(ctx.db, input.team_id);
      if (!team) throw teamErrors.memberTeamNotFound(input.team_id);
      await assertMayManage(principal, input.team_id, '/team/member_delete');
      const member = await findMember(input.team_id, input);
      if (!member) throw teamErrors.notInTeam();
      await inTransaction(ctx, async (tx, invalidate, scheduleBudgets) => {
        await teamsRepository.removeMember(tx, input.team_id, member.user_id);
        await invalidate({ userIds: [member.user_id] });
        if (member.budget_duration !== null)
          await scheduleBudgets([memberRef(input.team_id, member.user_id)]);
      });
      return teamWire(team);
    },

    /** `/team/member_update`: role, per-member budget and limits. Team admins cannot raise their own. */
    async memberUpdate(principal: Principal, input: MemberUpdateRequest) {
      if (!input.user_id && !input.user_email) throw teamErrors.userOrEmailRequired();
      const team = await teamsRepository.findById(ctx.db, input.team_id);
      if (!team) throw teamErrors.memberTeamNotFound(input.team_id);
      await assertMayManage(principal, input.team_id, '/team/member_update');
      const member: MemberRow | undefined = await findMember(input.team_id, input);
      if (!member) throw teamErrors.notInTeam();
      if (!isAdmin(principal) && member.user_id === principal.userId) throw teamErrors.ownMembership();
      const at = ctx.now();
      const set: Record<string, unknown> = { updated_at: at };
      if (input.role) set.role = input.role;
      if (input.max_budget_in_team !== undefined) set.max_budget = input.max_budget_in_team;
      if (input.tpm_limit !== undefined) set.tpm_limit = input.tpm_limit;
      if (input.rpm_limit !== undefined) set.rpm_limit = input.rpm_limit;
      if (input.budget_duration !== undefined) {
        set.budget_duration = input.budget_duration;
        set.budget_reset_at = resetAt(input.budget_duration, at);
      }
      const budgetTouched = ['max_budget', 'tpm_limit', 'rpm_limit', 'budget_duration'].some((f) => f in set);
      if (budgetTouched && member.budget_id === null) set.budget_id = randomUUID();
      const updated = await inTransaction(ctx, async (tx, invalidate, scheduleBudgets) => {
        const row = await teamsRepository.updateMember(
          tx,
          input.team_id,
          member.user_id,
          set as MembershipUpdate,
        );
        await invalidate({ userIds: [member.user_id] });
        if (input.budget_duration !== undefined)
          await scheduleBudgets([memberRef(input.team_id, member.user_id)]);
        return row;
      });
      if (!updated) throw teamErrors.notInTeam();
      return {
        team_id: input.team_id,
        user_id: member.user_id,
        user_email: member.user_email,
        role: updated.role,
        max_budget_in_team: updated.max_budget,
        tpm_limit: updated.tpm_limit,
        rpm_limit: updated.rpm_limit,
        budget_duration: updated.budget_duration,
      };
    },

    async setBlocked(teamId: string, blocked: boolean) {
      const team = await inTransaction(ctx, async (tx, invalidate) => {
        const team = await teamsRepository.update(tx, teamId, { blocked, updated_at: ctx.now() });
        if (!team) throw teamErrors.notFound(teamId);
        await invalidate({ teamIds: [teamId] });
        return team;
      });
      return teamWire(team);
    },
  };
}
export type TeamsService = ReturnType<typeof createTeamsService>;
