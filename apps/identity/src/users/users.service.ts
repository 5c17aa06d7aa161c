import { randomUUID } from 'node:crypto';
import { nextBudgetReset, type Principal, parseDuration } from '@llmgw/contracts';
import { isProxyError, ProxyError } from '@llmgw/http';
import { type IdentityContext, inTransaction } from '../context';
import type { InvitationsService } from '../invitations/invitations.service';
import { KeysServiceError } from '../keys-client/keys-client';
import { badField, rawDetail, unavailable } from '../lib/errors';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../lib/passwords';
import { isEmptyValue } from '../lib/wire';
import { memberRef, type ScheduleRef } from '../outbox/budget-schedule-outbox';
import { loadSpendView, membershipWithTotals, withTotals } from '../spend/spend-view';
import { membershipValues } from '../teams/memberships';
import { teamsRepository } from '../teams/teams.repository';
import { membershipToWire, teamToWire } from '../teams/teams.wire';
import { userErrors } from './users.errors';
import { EmailTakenError, type UserRow, type UserUpdate, usersRepository } from './users.repository';
import {
  type NewUserRequest,
  SELF_EDITABLE_FIELDS,
  type UpdateUserRequest,
  type UserListQuery,
} from './users.schemas';
import { userToWire } from './users.wire';

/** LiteLLM's role labels for the UI (`/user/available_roles`). */
export const AVAILABLE_ROLES = {
  proxy_admin: {
    description:
      'Proxy Admin role. Can create keys, teams, users, check global spend. Can also delete keys, teams, users. Can create/delete/update models.',
    ui_label: 'Admin (All Permissions)',
  },
  proxy_admin_viewer: {
    description:
      'Proxy Admin Viewer role. Can view all keys, teams, users, check global spend. Can not create keys, teams, users, or models.',
    ui_label: 'Admin (View Only)',
  },
  internal_user: {
    description: 'Internal User role. Can create, view, and delete their own keys. Can view their own spend.',
    ui_label: 'Internal User (Create/Delete/View)',
  },
  internal_user_viewer: {
    description:
      'Internal User Viewer role. Can view their own keys and spend. Can not create or delete keys.',
    ui_label: 'Internal User (View Only)',
  },
} as const;

/** Fields whose change must reach every cached auth record of the user's keys. */
const AUTH_FIELDS = [
  'user_role',
  'max_budget',
  'spend',
  'models',
  'tpm_limit',
  'rpm_limit',
  'max_parallel_requests',
  'budget_duration',
] as const;

export function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw badField('password', `password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    throw badField('password', `password must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
}

const compact = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

export function createUsersService(ctx: IdentityContext, invitations: InvitationsService) {
  const wireOne = async (row: UserRow) => {
    const teams = await usersRepository.teamsOf(ctx.db, [row.user_id]);
    return userToWire(row, teams.get(row.user_id) ?? []);
  };

  /** Undoes a /user/new whose key or invitation failed: no half-created user is left behind. */
  const compensate = async (userId: string, scheduled: boolean) => {
    try {
      await ctx.keys.deleteByOwner({ userIds: [userId], teamIds: [] }).catch(() => {});
      await inTransaction(ctx, async (tx, invalidate, scheduleBudgets) => {
        await usersRepository.deleteByIds(tx, [userId]);
        await invalidate({ userIds: [userId] });
        // The user is gone: spend drops the schedule it was just given.
        if (scheduled) await scheduleBudgets([{ kind: 'user', id: userId }]);
      });
    } catch (err) {
      ctx.logger.error({ userId, err: (err as Error).message }, 'could not undo a failed /user/new');
    }
  };

  return {
    /** `/user/new`: the user (upserted), its team memberships, an optional key and invitation. */
    async create(principal: Principal, input: NewUserRequest) {
      const at = ctx.now();
      const userId = input.user_id ?? randomUUID();
      if (input.send_invite_email && !input.user_email) {
        const existing = await usersRepository.findById(ctx.db, userId);
        if (!existing?.user_email) {
          throw badField('user_email', 'send_invite_email needs a user_email to send the invitation to');
        }
      }
      // teams: ids or {team_id, max_budget_in_team, user_role}; team_id joins the user to that team too.
      const wanted = new Map<string, { role: 'admin' | 'user'; maxBudget: number | null }>();
      for (const t of input.teams ?? []) {
        if (typeof t === 'string') wanted.set(t, { role: 'user', maxBudget: null });
        else wanted.set(t.team_id, { role: t.user_role, maxBudget: t.max_budget_in_team ?? null });
      }
      if (input.team_id && !wanted.has(input.team_id))
        wanted.set(input.team_id, { role: 'user', maxBudget: null });
      const teams = await teamsRepository.findByIds(ctx.db, [...wanted.keys()]);
      for (const teamId of wanted.keys()) {
        if (!teams.some((t) => t.team_id === teamId))
          throw rawDetail(404, `Team not found for team_id=${teamId}`);
      }

      const budgetDuration = input.budget_duration ? parseDuration(input.budget_duration) : null;
      let created = false;
      const user = await inTransaction(ctx, async (tx, invalidate, scheduleBudgets) => {
        if (input.user_email) {
          const holder = await usersRepository.findByEmail(tx, input.user_email);
          if (holder && holder.user_id !== userId) throw userErrors.duplicateEmail(input.user_email);
        }
        let row: UserRow | undefined;
        try {
          row = await usersRepository.insertIfAbsent(tx, {
            user_id: userId,
            user_email: input.user_email ?? null,
            user_alias: input.user_alias ?? null,
            user_role: input.user_role ?? null,
            team_id: input.team_id ?? null,
            sso_user_id: input.sso_user_id ?? null,
            organization_id: input.organization_id ?? null,
            max_budget: input.max_budget ?? null,
            spend: input.spend ?? 0,
            models: JSON.stringify(input.models ?? []),
            metadata: JSON.stringify(input.metadata ?? {}),
            tpm_limit: input.tpm_limit ?? null,
            rpm_limit: input.rpm_limit ?? null,
            max_parallel_requests: input.max_parallel_requests ?? null,
            budget_duration: input.budget_duration ?? null,
            budget_reset_at: budgetDuration ? nextBudgetReset(at, budgetDuration) : null,
            allowed_cache_controls: JSON.stringify(input.allowed_cache_controls ?? []),
            model_spend: '{}',
            model_max_budget: JSON.stringify(input.model_max_budget ?? {}),
            created_at: at,
            updated_at: at,
          });
        } catch (err) {
          if (err instanceof EmailTakenError) throw userErrors.duplicateEmail(input.user_email ?? '');
          throw err;
        }
        created = row !== undefined;
        // LiteLLM upserts with `update: {}`: an existing user is left as it is and gets a new key.
        row ??= await usersRepository.findById(tx, userId);
        if (!row) throw new Error(`user ${userId} vanished while being created`);
        for (const team of teams) {
          const w = wanted.get(team.team_id);
          if (w) await teamsRepository.addMember(tx, membershipValues(team, userId, w.role, w.maxBudget, at));
        }
        // Keys may already name this user id (LiteLLM does not require the user row): their role changes.
        await invalidate({ userIds: [userId] });
        if (created && input.budget_duration) await scheduleBudgets([{ kind: 'user', id: userId }]);
        return row;
      });

      let key: Record<string, unknown> | null = null;
      try {
        if (input.auto_create_key) {
          key = await ctx.keys.generateKey(
            principal,
            compact({
              user_id: userId,
              team_id: input.team_id,
              models: input.models ?? [],
              tpm_limit: input.tpm_limit,
              rpm_limit: input.rpm_limit,
              max_parallel_requests: input.max_parallel_requests,
              aliases: input.aliases,
              duration: input.duration,
              key_alias: input.key_alias,
            }),
          );
        }
        if (input.send_invite_email) await invitations.create(principal, userId);
      } catch (err) {
        if (created) await compensate(userId, Boolean(input.budget_duration));
        const undone = created ? '; nothing was created' : '';
        if (err instanceof KeysServiceError) {
          const body = err.body as {
            error?: { message?: string; type?: string; param?: string | null };
          } | null;
          if (err.status !== null && err.status >= 400 && err.status < 500 && body?.error?.message) {
            throw new ProxyError({
              status: err.status,
              message: body.error.message,
              type: body.error.type ?? 'bad_request_error',
              param: body.error.param ?? null,
            });
          }
          throw unavailable(
            `the user's key could not be created: the keys service is unavailable${undone}. Retry shortly.`,
          );
        }
        if (isProxyError(err) && err.status === 503) {
          throw unavailable(
            `the invitation email could not be queued (the queue is unavailable)${undone}. Retry shortly.`,
          );
        }
        throw err;
      }

      const wire = await wireOne(user);
      return {
        key: typeof key?.key === 'string' ? key.key : '',
        key_name: (key?.key_name as string | undefined) ?? null,
        expires: (key?.expires as string | null | undefined) ?? null,
        user_id: wire.user_id,
        user_email: wire.user_email,
        user_role: wire.user_role,
        user_alias: wire.user_alias,
        teams: wire.teams,
        team_id: input.team_id ?? null,
        max_budget: wire.max_budget,
        spend: wire.spend,
        models: wire.models,
        tpm_limit: wire.tpm_limit,
        rpm_limit: wire.rpm_limit,
        max_parallel_requests: wire.max_parallel_requests,
        metadata: wire.metadata,
        budget_duration: wire.budget_duration,
        budget_reset_at: wire.budget_reset_at,
        model_max_budget: wire.model_max_budget,
        key_alias: (key?.key_alias as string | null | undefined) ?? input.key_alias ?? null,
        duration: input.duration ?? null,
        aliases: input.aliases ?? {},
        budget_id: null,
        created_at: wire.created_at,
        updated_at: wire.updated_at,
      };
    },

    /** `/user/info`: one user with its keys and teams; a proxy admin without `user_id` gets everything. */
    async info(principal: Principal, userId: string | undefined) {
      const isAdmin = principal.role === 'proxy_admin';
      if (userId && !isAdmin && userId !== principal.userId)
        throw userErrors.otherUsersInfo(userId, principal);
      if (!userId && isAdmin) {
        const teams = await teamsRepository.list(ctx.db, {});
        const teamIds = teams.map((t) => t.team_id);
        const [members, keys, spend] = await Promise.all([
          teamsRepository.members(ctx.db, teamIds),
          ctx.keys.listKeys({}),
          loadSpendView(ctx.spend, ctx.logger, { teamIds }),
        ]);
        return {
          value: {
            user_id: null,
            user_info: null,
            keys: keys ?? [],
            teams: teams.map((t) => withTotals(teamToWire(t, members), spend.team(t.team_id))),
          },
          spendStale: spend.stale,
        };
      }
      const target = userId ?? principal.userId;
      const row = target ? await usersRepository.findById(ctx.db, target) : undefined;
      if (!row || !target) throw userErrors.notFound(target);
      const memberships = await teamsRepository.membershipsOfUser(ctx.db, target);
      const teamIds = memberships.map((m) => m.team_id);
      const [teams, members, keys, spend] = await Promise.all([
        teamsRepository.list(ctx.db, { teamIds }),
        teamsRepository.members(ctx.db, teamIds),
        // Key rows come from the keys service with their spend totals already in them.
        ctx.keys.listKeys({ user_id: target }),
        loadSpendView(ctx.spend, ctx.logger, {
          userIds: [target],
          teamIds,
          memberships: memberships.map((m) => ({ team_id: m.team_id, user_id: m.user_id })),
        }),
      ]);
      if (keys === null)
        ctx.logger.warn({ userId: target }, 'keys service could not list keys for /user/info');
      const alias = new Map(teams.map((t) => [t.team_id, t.team_alias]));
      return {
        value: {
          user_id: target,
          user_info: withTotals(
            { ...userToWire(row, teamIds), organization_memberships: [] },
            spend.user(target),
          ),
          keys: (keys ?? []).map((k) => ({
            ...k,
            team_alias: typeof k.team_id === 'string' ? (alias.get(k.team_id) ?? null) : null,
          })),
          teams: teams.map((t) => ({
            ...withTotals(teamToWire(t, members), spend.team(t.team_id)),
            // Only the caller's own membership (its budget in that team), not the other members' budgets.
            team_memberships: memberships
              .filter((m) => m.team_id === t.team_id)
              .map((m) => membershipWithTotals(membershipToWire(m), spend.member(m.team_id, m.user_id))),
          })),
        },
        spendStale: spend.stale,
      };
    },

    /**
     * `/user/update`. Admins: LiteLLM's upsert (unknown user_id or email creates the user; null, [] and {}
     * are ignored). Everyone else: only itself, and only email, password and alias (403 naming the field).
     */
    async update(principal: Principal, input: UpdateUserRequest) {
      const isAdmin = principal.role === 'proxy_admin';
      if (!isAdmin) {
        for (const [field, value] of Object.entries(input)) {
          if (
            value !== undefined &&
            value !== null &&
            !(SELF_EDITABLE_FIELDS as readonly string[]).includes(field)
          ) {
            throw userErrors.adminOnlyField(principal, field);
          }
        }
        if (!principal.userId) throw userErrors.noUser(principal);
        if (input.user_id && input.user_id !== principal.userId) {
          throw userErrors.otherUserUpdate(input.user_id, principal, 'user_id');
        }
        if (!input.user_id && input.user_email) {
          const holder = await usersRepository.findByEmail(ctx.db, input.user_email);
          if (holder?.user_id !== principal.userId) {
            throw userErrors.otherUserUpdate(input.user_email, principal, 'user_email');
          }
        }
      }
      if (typeof input.password === 'string') checkPassword(input.password);
      const passwordHash =
        typeof input.password === 'string' ? await ctx.passwords.hash(input.password) : null;
      const at = ctx.now();

      const { row, roleChanged, targetId } = await inTransaction(ctx, async (tx, invalidate, schedule) => {
        // Who: user_id (email is then a new value), else the user with that email.
        let target: UserRow | undefined;
        let targetId: string;
        let emailIsNewValue: boolean;
        if (!isAdmin) {
          targetId = principal.userId as string;
          target = await usersRepository.findById(tx, targetId);
          if (!target) throw userErrors.notFound(targetId);
          emailIsNewValue = Boolean(input.user_id);
        } else if (input.user_id) {
          targetId = input.user_id;
          target = await usersRepository.findById(tx, targetId);
          emailIsNewValue = true;
        } else {
          target = await usersRepository.findByEmail(tx, input.user_email as string);
          targetId = target?.user_id ?? randomUUID();
          emailIsNewValue = !target;
        }
        if (!target) {
          await usersRepository.insertIfAbsent(tx, {
            user_id: targetId,
            models: '[]',
            metadata: '{}',
            allowed_cache_controls: '[]',
            model_spend: '{}',
            model_max_budget: '{}',
            created_at: at,
            updated_at: at,
          });
        }
        const set: Record<string, unknown> = {};
        const take = (field: keyof UpdateUserRequest, json = false) => {
          const v = input[field];
          if (!isEmptyValue(v)) set[field] = json ? JSON.stringify(v) : v;
        };
        if (emailIsNewValue && input.user_email) {
          const holder = await usersRepository.findByEmail(tx, input.user_email);
          if (holder && holder.user_id !== targetId) throw userErrors.duplicateEmail(input.user_email);
          set.user_email = input.user_email;
        }
        take('user_alias');
        if (isAdmin) {
          take('user_role');
          take('max_budget');
          take('spend');
          take('tpm_limit');
          take('rpm_limit');
          take('max_parallel_requests');
          take('team_id');
          take('sso_user_id');
          take('organization_id');
          take('models', true);
          take('metadata', true);
          take('model_max_budget', true);
          take('allowed_cache_controls', true);
          if (input.budget_duration) {
            set.budget_duration = input.budget_duration;
            const d = parseDuration(input.budget_duration);
            if (d) set.budget_reset_at = nextBudgetReset(at, d);
          }
        }
        if (passwordHash) set.password_hash = passwordHash;
        set.updated_at = at;
        let row: UserRow | undefined;
        try {
          row = await usersRepository.update(tx, targetId, set as UserUpdate);
        } catch (err) {
          if (err instanceof EmailTakenError) throw userErrors.duplicateEmail(input.user_email ?? '');
          throw err;
        }
        if (!row) throw userErrors.notFound(targetId);
        const roleChanged = 'user_role' in set && set.user_role !== (target?.user_role ?? null);
        if (!target || AUTH_FIELDS.some((f) => f in set)) await invalidate({ userIds: [targetId] });
        if ('budget_duration' in set) await schedule([{ kind: 'user', id: targetId }]);
        return { row, roleChanged, targetId };
      });
      // A session carries its role: a new role (or a password an admin reset for someone else) takes
      // effect by ending that user's sessions.
      if (roleChanged || (passwordHash && targetId !== principal.userId)) {
        await ctx.sessions.destroyAllForUser(targetId);
      }
      return { user_id: targetId, data: await wireOne(row) };
    },

    /** `/user/delete`: every id must exist; the users' keys go first (keys service), then the rows. */
    async delete(userIds: string[]) {
      const ids = [...new Set(userIds)];
      const found = await usersRepository.findByIds(ctx.db, ids);
      for (const id of ids) if (!found.some((u) => u.user_id === id)) throw userErrors.deleteNotFound(id);
      try {
        await ctx.keys.deleteByOwner({ userIds: ids, teamIds: [] });
      } catch (err) {
        ctx.logger.warn({ err: (err as Error).message }, 'keys service could not delete the keys of users');
        throw unavailable(
          'the keys service is unavailable, so the users’ keys could not be deleted; no user was deleted. Retry shortly.',
        );
      }
      const deleted = await inTransaction(ctx, async (tx, invalidate, scheduleBudgets) => {
        // Schedules of what is deleted are cleared in spend (read before the memberships cascade away).
        const schedules: ScheduleRef[] = [
          ...found
            .filter((u) => u.budget_duration !== null)
            .map((u) => ({ kind: 'user' as const, id: u.user_id })),
          ...(await teamsRepository.scheduledMemberships(tx, { userIds: ids })).map((m) =>
            memberRef(m.team_id, m.user_id),
          ),
        ];
        const n = await usersRepository.deleteByIds(tx, ids);
        await invalidate({ userIds: ids });
        await scheduleBudgets(schedules);
        return n;
      });
      await Promise.all(ids.map((id) => ctx.sessions.destroyAllForUser(id)));
      return deleted;
    },

    async list(query: UserListQuery) {
      const { rows, total } = await usersRepository.list(
        ctx.db,
        {
          role: query.role,
          userIds: query.user_ids,
          ssoUserIds: query.sso_user_ids,
          emailContains: query.user_email,
          teamId: query.team,
        },
        {
          offset: (query.page - 1) * query.page_size,
          limit: query.page_size,
          sortBy: query.sort_by ?? 'created_at',
          sortOrder: query.sort_order,
        },
      );
      const teams = await usersRepository.teamsOf(
        ctx.db,
        rows.map((r) => r.user_id),
      );
      const [counts, spend] = await Promise.all([
        Promise.all(rows.map((r) => ctx.keys.countKeys({ user_id: r.user_id }))),
        loadSpendView(ctx.spend, ctx.logger, { userIds: rows.map((r) => r.user_id) }),
      ]);
      return {
        value: {
          users: rows.map((r, i) => ({
            ...withTotals(userToWire(r, teams.get(r.user_id) ?? []), spend.user(r.user_id)),
            key_count: counts[i] ?? null,
          })),
          total,
          page: query.page,
          page_size: query.page_size,
          total_pages: Math.ceil(total / query.page_size),
        },
        spendStale: spend.stale,
      };
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
