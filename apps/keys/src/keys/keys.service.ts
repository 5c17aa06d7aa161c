import {
  addDuration,
  type BudgetSchedule,
  type EntityTotals,
  nextBudgetReset,
  type OwnerSelector,
  type Principal,
  parseDuration,
} from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import type { Logger } from '@llmgw/http';
import type { AuthCache } from '../auth-record/auth-cache';
import type { KeysDB } from '../db';
import { type IdentityClient, IdentityUnavailableError, type KeyFacts } from '../identity/identity-client';
import type { BudgetScheduleOutbox } from '../spend/budget-schedule-outbox';
import { type SpendClient, SpendUnavailableError } from '../spend/spend-client';
import { generateRawKey, hashKey, isKeyHash, keyName, toTokenHash } from './key-format';
import { keyErrors } from './keys.errors';
import {
  assertMayBlock,
  assertMayGenerate,
  assertMayWrite,
  DEFAULT_TEAM_MEMBER_PERMISSIONS,
  type KeyWriteRoute,
  ownsKey,
  type TeamStanding,
  teamMemberMay,
} from './keys.policy';
import {
  AliasTakenError,
  type KeyChanges,
  type KeyListFilter,
  type KeyRow,
  keysRepository,
  LIST_SORT_COLUMNS,
  type ListSortColumn,
  TokenTakenError,
} from './keys.repository';
import type {
  DeleteKeyRequest,
  GenerateKeyRequest,
  KeyChangeRequest,
  KeyListQuery,
  RegenerateKeyRequest,
  UpdateKeyRequest,
} from './keys.schemas';

export interface KeysServiceDeps {
  db: Kysely<KeysDB>;
  authCache: AuthCache;
  identity: IdentityClient;
  /** The owner of spend totals: the `spend` keys show, and when a key's spend resets. */
  spend: SpendClient;
  /** Budget schedules owed to spend, written in the same transaction as the key change. */
  schedules: BudgetScheduleOutbox;
  logger: Logger;
  now: () => Date;
}

/** Rows as a read answers them, and whether their `spend` is this table's copy (spend unreachable). */
export interface WithSpend<T> {
  value: T;
  spendStale: boolean;
}

/**
 * Sorting /key/list by spend reads every matching key's total from the spend service; above this many
 * keys it sorts by this table's `spend` column instead (the value the key was created or updated with).
 */
export const SPEND_SORT_MAX_KEYS = 10_000;

/**
 * A key row with the spend service's truth: its `spend` total, and the reset time of its budget schedule
 * when spend has the same `budget_duration` (spend moves it forward at every reset; this table keeps the
 * first one). Without totals the row is answered as stored.
 */
export function withTotals(row: KeyRow, totals: EntityTotals | undefined): KeyRow {
  if (!totals) return row;
  const sameSchedule =
    row.budget_duration !== null &&
    totals.budget_duration === row.budget_duration &&
    totals.budget_reset_at !== null;
  return {
    ...row,
    spend: totals.spend,
    budget_reset_at: sameSchedule ? new Date(totals.budget_reset_at as string) : row.budget_reset_at,
  };
}

/** What spend is told about a key's budget schedule (null duration: no schedule). */
export function scheduleOf(token: string, row: Pick<KeyRow, 'budget_duration' | 'budget_reset_at'> | null) {
  const schedule: BudgetSchedule = { kind: 'key', id: token, budget_duration: row?.budget_duration ?? null };
  if (row?.budget_duration && row.budget_reset_at) {
    schedule.budget_reset_at = new Date(row.budget_reset_at).toISOString();
  }
  return schedule;
}

/** `key_type` presets LiteLLM applies to `allowed_routes` when none are given. */
const KEY_TYPE_ROUTES: Record<string, string[]> = {
  llm_api: ['llm_api_routes'],
  management: ['management_routes'],
  read_only: ['info_routes'],
};

export interface GeneratedKey {
  raw: string;
  row: KeyRow;
}

const isAdmin = (p: Principal) => p.role === 'proxy_admin';
const isAdminOrViewer = (p: Principal) => p.role === 'proxy_admin' || p.role === 'proxy_admin_viewer';
const has = <T extends object>(input: T, field: keyof T) => input[field] !== undefined;

/** Columns that are plain nullable values: `null` in a change resets them. */
const NULLABLE_COLUMNS = [
  'key_alias',
  'max_budget',
  'soft_budget',
  'user_id',
  'team_id',
  'organization_id',
  'max_parallel_requests',
  'tpm_limit',
  'rpm_limit',
  'blocked',
  'rotation_interval',
] as const;

/** JSON columns that are never null: `null` in a change resets them to their default. */
const JSON_COLUMNS = {
  models: [],
  aliases: {},
  config: {},
  permissions: {},
  allowed_cache_controls: [],
  allowed_routes: [],
  model_max_budget: {},
} as const;

/**
 * The columns a /key/update (or the changes of a /key/regenerate) sets. Fields sent as null are applied
 * (LiteLLM resets them); `metadata` is replaced; `duration` sets `expires = now + duration` ("-1" or
 * null: never); `model_rpm_limit`, `model_tpm_limit`, `temp_budget_increase` and `temp_budget_expiry`
 * live inside metadata, as in LiteLLM.
 */
export function changesFrom(input: KeyChangeRequest, existing: KeyRow, at: Date): KeyChanges {
  const c: Record<string, unknown> = {};
  for (const col of NULLABLE_COLUMNS) if (has(input, col)) c[col] = input[col] ?? null;
  for (const [col, empty] of Object.entries(JSON_COLUMNS)) {
    const value = input[col as keyof typeof JSON_COLUMNS];
    if (value !== undefined) c[col] = JSON.stringify(value ?? empty);
  }
  if (has(input, 'spend')) c.spend = input.spend ?? 0;
  if (has(input, 'key_type')) c.key_type = input.key_type ?? 'default';
  if (has(input, 'auto_rotate')) c.auto_rotate = input.auto_rotate ?? false;
  if (has(input, 'duration')) {
    const d = input.duration && input.duration !== '-1' ? parseDuration(input.duration) : null;
    c.expires = d ? addDuration(at, d) : null;
  }
  if (has(input, 'budget_duration')) {
    const d = input.budget_duration ? parseDuration(input.budget_duration) : null;
    c.budget_duration = d ? input.budget_duration : null;
    c.budget_reset_at = d ? nextBudgetReset(at, d) : null;
  }
  const metaFields = [
    'model_rpm_limit',
    'model_tpm_limit',
    'temp_budget_increase',
    'temp_budget_expiry',
  ] as const;
  if (has(input, 'metadata') || metaFields.some((f) => has(input, f))) {
    const metadata: Record<string, unknown> = has(input, 'metadata')
      ? { ...(input.metadata ?? {}) }
      : { ...existing.metadata };
    for (const f of metaFields) {
      if (!has(input, f)) continue;
      const value = input[f];
      if (value === null) delete metadata[f];
      else metadata[f] = f === 'temp_budget_expiry' ? new Date(value as string).toISOString() : value;
    }
    c.metadata = JSON.stringify(metadata);
  }
  return c as KeyChanges;
}

export function createKeysService({
  db,
  authCache,
  identity,
  spend,
  schedules,
  logger,
  now,
}: KeysServiceDeps) {
  /** Rows with their spend totals; if spend cannot answer, as stored, marked stale (reads never fail on it). */
  const withSpend = async (rows: KeyRow[]): Promise<WithSpend<KeyRow[]>> => {
    if (rows.length === 0) return { value: rows, spendStale: false };
    try {
      const totals = await spend.keyTotals(rows.map((r) => r.token));
      return { value: rows.map((r) => withTotals(r, totals.get(r.token))), spendStale: false };
    } catch (err) {
      if (!(err instanceof SpendUnavailableError)) throw err;
      logger.warn({ err: err.message }, 'spend totals unavailable; answering stored spend');
      return { value: rows, spendStale: true };
    }
  };

  const facts = async (userId: string | null, teamId: string | null): Promise<KeyFacts> => {
    try {
      return await identity.authFacts(userId, teamId);
    } catch (err) {
      if (err instanceof IdentityUnavailableError) throw keyErrors.identityUnavailable();
      throw err;
    }
  };

  const standing = async (userId: string | null, teamId: string): Promise<TeamStanding> => {
    const f = await facts(userId, teamId);
    return {
      teamId,
      exists: f.team !== null,
      role: f.user && f.team ? (f.membership?.role ?? null) : null,
      memberPermissions: f.team?.team_member_permissions ?? DEFAULT_TEAM_MEMBER_PERMISSIONS,
    };
  };

  /**
   * Team-key rules shared by generate and update (LiteLLM's team key generation check): a non-admin
   * needs an existing team it is a member of, with the right for `route`; a user the key is assigned to
   * must be a member of the team.
   */
  const assertMayUseTeam = async (
    principal: Principal,
    teamId: string,
    assignedUserId: string | null,
    route: KeyWriteRoute,
  ) => {
    const caller = await standing(principal.userId, teamId);
    if (!caller.exists) {
      if (isAdmin(principal)) return;
      throw keyErrors.teamNotFound(teamId);
    }
    if (assignedUserId !== null) {
      const assignedRole =
        assignedUserId === principal.userId ? caller.role : (await standing(assignedUserId, teamId)).role;
      if (assignedRole === null) throw keyErrors.notInTeam(assignedUserId, teamId);
    }
    if (isAdmin(principal)) return;
    if (caller.role === null) throw keyErrors.notInTeam(principal.userId, teamId);
    teamMemberMay(caller, route);
  };

  /** LiteLLM's can_modify_verification_token: admin; team admin of a team key; the key's owner. */
  const mayModify = async (principal: Principal, row: KeyRow, route: KeyWriteRoute) => {
    if (isAdmin(principal)) return true;
    if (row.team_id !== null) {
      const caller = await standing(principal.userId, row.team_id);
      if (!caller.exists) return false;
      if (caller.role === 'admin') return true;
      if (route === '/key/regenerate' || route === '/key/{key}/regenerate') teamMemberMay(caller, route);
    }
    return ownsKey(principal, row);
  };

  const mayRead = async (principal: Principal, row: KeyRow) => {
    if (isAdminOrViewer(principal)) return true;
    if (principal.keyHash === row.token) return true;
    if (ownsKey(principal, row)) return true;
    if (row.team_id !== null && principal.userId !== null) {
      return (await standing(principal.userId, row.team_id)).role !== null;
    }
    return false;
  };

  /**
   * Runs a key write and, in the same transaction, records the keys whose budget schedule it changed
   * (`scheduled` of the result). After commit, `afterCommit` updates the gateways' auth cache first (a
   * deleted or replaced key must stop working at once, whatever spend does), then the schedules go to
   * spend before the route answers; what spend did not take is retried from the table, across restarts.
   */
  const writeWithSchedules = async <T>(
    write: (tx: Kysely<KeysDB>) => Promise<T>,
    scheduled: (result: T) => string[],
    afterCommit: (result: T) => Promise<void>,
  ): Promise<T> => {
    let ids: number[] = [];
    const result = await db.transaction().execute(async (tx) => {
      const r = await write(tx);
      ids = await schedules.add(tx, scheduled(r));
      return r;
    });
    await afterCommit(result);
    // Different keys in parallel (one key's rows stay in order): a hung spend costs one timeout, not one
    // per key.
    await Promise.all(ids.map((id) => schedules.deliver([id])));
    return result;
  };

  const insertOrExplain = async (alias: string | null | undefined, fn: () => Promise<KeyRow>) => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AliasTakenError) throw keyErrors.aliasTaken(alias ?? '');
      if (err instanceof TokenTakenError) throw keyErrors.keyTaken();
      throw err;
    }
  };

  /**
   * A /key/list page sorted by spend totals (they live in the spend service): every matching hash, their
   * totals in bulk, sorted here (ties: newest first), then the page's rows. Null when there are more than
   * SPEND_SORT_MAX_KEYS keys or spend cannot answer: the caller sorts by the stored column instead.
   */
  const pageBySpend = async (
    filter: KeyListFilter,
  ): Promise<{ rows: KeyRow[]; total: number; spendStale: boolean; spendAsked: boolean } | null> => {
    const all = await keysRepository.listAll(db, filter, SPEND_SORT_MAX_KEYS + 1);
    if (all.length > SPEND_SORT_MAX_KEYS) return null;
    let totals: Map<string, EntityTotals>;
    try {
      totals = await spend.keyTotals(all.map((k) => k.token));
    } catch (err) {
      if (!(err instanceof SpendUnavailableError)) throw err;
      logger.warn({ err: err.message }, 'spend totals unavailable; /key/list sorted by stored spend');
      const page = await keysRepository.list(db, filter);
      return { ...page, spendStale: true, spendAsked: true };
    }
    const spendOf = (token: string) => totals.get(token)?.spend ?? 0;
    const sign = filter.sortOrder === 'asc' ? 1 : -1;
    // `all` is newest first; a stable sort keeps that order among equal totals.
    const sorted = [...all].sort((a, b) => sign * (spendOf(a.token) - spendOf(b.token)));
    const tokens = sorted.slice(filter.offset, filter.offset + filter.limit).map((k) => k.token);
    const byToken = new Map((await keysRepository.findByTokens(db, tokens)).map((r) => [r.token, r]));
    const rows = tokens.flatMap((t) => {
      const row = byToken.get(t);
      return row ? [withTotals(row, totals.get(t))] : [];
    });
    return { rows, total: all.length, spendStale: false, spendAsked: true };
  };

  return {
    async generate(principal: Principal, input: GenerateKeyRequest): Promise<GeneratedKey> {
      assertMayGenerate(principal, input);
      if (input.key !== undefined && !input.key.startsWith('sk-'))
        throw keyErrors.invalidCustomKey(input.key);
      if (input.team_id) {
        await assertMayUseTeam(principal, input.team_id, input.user_id ?? null, '/key/generate');
      }
      const raw = input.key ?? generateRawKey();
      const at = now();
      const duration = input.duration ? parseDuration(input.duration) : null;
      const budgetDuration = input.budget_duration ? parseDuration(input.budget_duration) : null;
      const metadata: Record<string, unknown> = { ...input.metadata };
      // LiteLLM keeps per-model limits inside metadata; the gateway reads them from there.
      if (input.model_rpm_limit) metadata.model_rpm_limit = input.model_rpm_limit;
      if (input.model_tpm_limit) metadata.model_tpm_limit = input.model_tpm_limit;
      const allowedRoutes = input.allowed_routes.length
        ? input.allowed_routes
        : (KEY_TYPE_ROUTES[input.key_type] ?? []);
      const token = hashKey(raw);
      const row = await insertOrExplain(input.key_alias, () =>
        writeWithSchedules(
          (tx) =>
            keysRepository.insert(tx, {
              token,
              key_name: keyName(raw),
              key_alias: input.key_alias ?? null,
              spend: input.spend,
              expires: duration ? addDuration(at, duration) : null,
              models: JSON.stringify(input.models),
              aliases: JSON.stringify(input.aliases),
              config: JSON.stringify(input.config),
              permissions: JSON.stringify(input.permissions),
              metadata: JSON.stringify(metadata),
              user_id: input.user_id ?? null,
              team_id: input.team_id ?? null,
              organization_id: input.organization_id ?? null,
              blocked: input.blocked ?? null,
              max_parallel_requests: input.max_parallel_requests ?? null,
              tpm_limit: input.tpm_limit ?? null,
              rpm_limit: input.rpm_limit ?? null,
              max_budget: input.max_budget ?? null,
              soft_budget: input.soft_budget ?? null,
              budget_duration: input.budget_duration ?? null,
              budget_reset_at: budgetDuration ? nextBudgetReset(at, budgetDuration) : null,
              allowed_cache_controls: JSON.stringify(input.allowed_cache_controls),
              allowed_routes: JSON.stringify(allowedRoutes),
              model_spend: JSON.stringify({}),
              model_max_budget: JSON.stringify(input.model_max_budget),
              key_type: input.key_type,
              auto_rotate: input.auto_rotate,
              rotation_interval: input.rotation_interval ?? null,
              created_at: at,
              updated_at: at,
              created_by: principal.userId,
              updated_by: principal.userId,
            }),
          (r) => (r.budget_duration !== null ? [token] : []),
          // Write-through: the gateway finds a new key in Redis on its first request.
          () => authCache.refresh([token]),
        ),
      );
      return { raw, row };
    },

    async update(principal: Principal, input: UpdateKeyRequest): Promise<KeyRow> {
      assertMayWrite(principal, '/key/update');
      const { key, ...changes } = input;
      const token = toTokenHash(key);
      const existing = await keysRepository.findByToken(db, token);
      if (!existing) throw keyErrors.updateUnknownKey(token);
      await assertMayChange(principal, existing, changes, '/key/update');
      const row = await updateOrExplain(changes.key_alias, () =>
        writeWithSchedules(
          (tx) =>
            keysRepository.update(tx, token, {
              ...changesFrom(changes, existing, now()),
              updated_at: now(),
              updated_by: principal.userId,
            }),
          // Set, changed or cleared (null): spend resets on the new schedule.
          (r) => (r && has(changes, 'budget_duration') ? [token] : []),
          () => authCache.refresh([token]),
        ),
      );
      if (!row) throw keyErrors.updateUnknownKey(token);
      return row;
    },

    async regenerate(principal: Principal, pathKey: string | null, input: RegenerateKeyRequest) {
      const route: KeyWriteRoute = pathKey === null ? '/key/regenerate' : '/key/{key}/regenerate';
      assertMayWrite(principal, route);
      const key = input.key || pathKey;
      if (!key) throw keyErrors.noKeyPassed();
      const oldToken = toTokenHash(key);
      const existing = await keysRepository.findByToken(db, oldToken);
      if (!existing) throw keyErrors.regenerateUnknownKey(key);
      if (!(await mayModify(principal, existing, route))) throw keyErrors.regenerateNotAllowed();
      if (input.new_key != null && !input.new_key.startsWith('sk-')) throw keyErrors.invalidNewKey();
      const { key: _key, new_key: newKey, ...changes } = input;
      await assertMayChange(principal, existing, changes, route);
      const raw = newKey ?? generateRawKey();
      const token = hashKey(raw);
      const at = now();
      // Spend keeps totals (and the gateway its budget counter) by key hash: hand them to the new hash
      // first, so regenerating never means a fresh budget. Spend down: nothing has changed yet, 503.
      try {
        await spend.copyKey(oldToken, token);
      } catch (err) {
        if (err instanceof SpendUnavailableError) throw keyErrors.spendUnavailableForRegenerate();
        throw err;
      }
      const row = await insertOrExplain(changes.key_alias, () =>
        writeWithSchedules(
          async (tx) => {
            const updated = await keysRepository.update(tx, oldToken, {
              ...changesFrom(changes, existing, at),
              token,
              key_name: keyName(raw),
              updated_at: at,
              updated_by: principal.userId,
            });
            if (!updated) throw keyErrors.regenerateUnknownKey(key);
            return updated;
          },
          // Spend keeps totals by key hash: the schedule moves to the new hash (the old one's is cleared).
          (r) => [
            ...(existing.budget_duration !== null && oldToken !== token ? [oldToken] : []),
            ...(r.budget_duration !== null ? [token] : []),
          ],
          // Same row, new hash: the old key stops working at once, the new one works at once.
          async () => {
            await authCache.remove([oldToken]);
            await authCache.refresh([token]);
          },
        ),
      );
      return { raw, row };
    },

    async delete(principal: Principal, input: DeleteKeyRequest): Promise<string[]> {
      assertMayWrite(principal, '/key/delete');
      const rows = input.keys?.length
        ? await keysRepository.findByTokens(db, input.keys.map(toTokenHash))
        : await keysRepository.findByAliases(db, input.key_aliases ?? []);
      if (rows.length === 0) throw keyErrors.noKeysFound();
      for (const row of rows) {
        if (!(await mayModify(principal, row, '/key/delete'))) throw keyErrors.deleteNotAllowed();
      }
      const scheduled = new Set(rows.filter((r) => r.budget_duration !== null).map((r) => r.token));
      await writeWithSchedules(
        (tx) =>
          keysRepository.deleteByTokens(
            tx,
            rows.map((r) => r.token),
          ),
        (gone) => gone.filter((t) => scheduled.has(t)),
        (gone) => authCache.remove(gone),
      );
      return input.keys?.length ? input.keys : (input.key_aliases ?? []);
    },

    async info(
      principal: Principal,
      key: string | undefined,
    ): Promise<{ key: string; row: KeyRow; spendStale: boolean }> {
      const given = key ?? principal.keyHash;
      if (!given) throw keyErrors.infoUnknownKey();
      const row = await keysRepository.findByToken(db, toTokenHash(given));
      if (!row) throw keyErrors.infoUnknownKey();
      if (!(await mayRead(principal, row))) throw keyErrors.infoNotAllowed(principal.role);
      const { value, spendStale } = await withSpend([row]);
      return { key: given, row: value[0] ?? row, spendStale };
    },

    async list(principal: Principal, q: KeyListQuery) {
      let sortBy: ListSortColumn | undefined;
      if (q.sort_by !== undefined) {
        if (!(LIST_SORT_COLUMNS as readonly string[]).includes(q.sort_by))
          throw keyErrors.invalidSortColumn(LIST_SORT_COLUMNS);
        sortBy = q.sort_by as ListSortColumn;
      }
      const order = q.sort_order.toLowerCase();
      if (order !== 'asc' && order !== 'desc') throw keyErrors.invalidSortOrder();
      let userId = q.user_id;
      if (!isAdminOrViewer(principal)) {
        // LiteLLM's validate_key_list_check: internal users see their own keys only.
        if (principal.userId === null || principal.role === 'unknown') throw keyErrors.listNoUser();
        if (userId !== undefined && userId !== principal.userId) throw keyErrors.listOtherUser();
        if (q.team_id !== undefined && (await standing(principal.userId, q.team_id)).role === null)
          throw keyErrors.listOtherTeam();
        if (q.organization_id !== undefined) throw keyErrors.listOtherOrganization();
        if (q.key_hash !== undefined) {
          const row = await keysRepository.findByToken(db, q.key_hash);
          if (row && !(await mayRead(principal, row))) throw keyErrors.infoNotAllowed(principal.role);
        }
        userId = principal.userId;
      }
      const filter: KeyListFilter = {
        userId,
        teamId: q.team_id,
        organizationId: q.organization_id,
        keyAlias: q.key_alias,
        keyHash: q.key_hash,
        includeCreatedBy: q.include_created_by_keys,
        sortBy,
        sortOrder: order,
        offset: (q.page - 1) * q.size,
        limit: q.size,
      };
      const page = (sortBy === 'spend' ? await pageBySpend(filter) : null) ?? {
        ...(await keysRepository.list(db, filter)),
        spendStale: false,
        spendAsked: false,
      };
      // Hashes only (no return_full_object): no spend to show, so spend is not asked.
      const shown =
        q.return_full_object && !page.spendAsked
          ? await withSpend(page.rows)
          : { value: page.rows, spendStale: page.spendStale };
      return {
        rows: shown.value,
        total: page.total,
        page: q.page,
        totalPages: Math.ceil(page.total / q.size),
        spendStale: shown.spendStale,
      };
    },

    async setBlocked(principal: Principal, key: string, blocked: boolean): Promise<KeyRow> {
      assertMayBlock(principal, blocked ? '/key/block' : '/key/unblock');
      if (!key.startsWith('sk-') && !isKeyHash(key)) throw keyErrors.invalidKeyFormat();
      const token = toTokenHash(key);
      const row = await keysRepository.update(db, token, {
        blocked,
        updated_at: now(),
        updated_by: principal.userId,
      });
      if (!row) throw keyErrors.blockUnknownKey(key);
      await authCache.refresh([token]);
      return row;
    },

    /** Identity changed users or teams: rebuild the record of every key of theirs. */
    async invalidateOwners(selector: OwnerSelector): Promise<number> {
      const tokens = await keysRepository.tokensOfOwners(db, selector.userIds, selector.teamIds);
      for (let i = 0; i < tokens.length; i += 500) await authCache.refresh(tokens.slice(i, i + 500));
      return tokens.length;
    },

    /** Identity deleted users or teams: delete their keys, and every gateway refuses them at once. */
    async deleteOwners(selector: OwnerSelector): Promise<string[]> {
      const deleted = await writeWithSchedules(
        (tx) => keysRepository.deleteByOwners(tx, selector.userIds, selector.teamIds),
        (gone) => gone.filter((d) => d.budget_duration !== null).map((d) => d.token),
        (gone) => authCache.remove(gone.map((d) => d.token)),
      );
      return deleted.map((d) => d.token);
    },
  };

  /** Update and regenerate: who may change this key, and into what. */
  async function assertMayChange(
    principal: Principal,
    existing: KeyRow,
    changes: KeyChangeRequest,
    route: KeyWriteRoute,
  ) {
    if (
      !isAdmin(principal) &&
      has(changes, 'user_id') &&
      changes.user_id !== existing.user_id &&
      changes.user_id !== principal.userId
    ) {
      throw keyErrors.updateOwnerChange(principal.userId, existing.token, changes.user_id ?? 'None');
    }
    if (!isAdmin(principal) && route === '/key/update') {
      let allowed = false;
      if (existing.team_id !== null) {
        const caller = await standing(principal.userId, existing.team_id);
        allowed = caller.exists && teamMemberMay(caller, route);
      }
      if (!allowed && !ownsKey(principal, existing)) throw keyErrors.updateNotAllowed();
    }
    const newTeam = changes.team_id;
    if (newTeam && newTeam !== existing.team_id) {
      const assigned = has(changes, 'user_id') ? (changes.user_id ?? null) : existing.user_id;
      await assertMayUseTeam(principal, newTeam, assigned, route);
    }
  }

  async function updateOrExplain(alias: string | null | undefined, fn: () => Promise<KeyRow | undefined>) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AliasTakenError) throw keyErrors.updateAliasTaken(alias ?? '');
      throw err;
    }
  }
}
export type KeysService = ReturnType<typeof createKeysService>;
