import { createHash } from 'node:crypto';
import type { Kysely } from '@llmgw/db';
import type { SpendDB } from '../db';
import { type LogFilters, type LogRow, type RowScope, spendLogsRepository } from './spend-logs.repository';
import type { SpendLogsQuery } from './spend-logs.schemas';
import { type DaySummary, summarizeByDay } from './summarize';

const DAY_MS = 86_400_000;

/** Management routes accept a raw `sk-` key or its sha256 hex; logs store the hash. */
export const toKeyHash = (key: string) =>
  key.startsWith('sk-') ? createHash('sha256').update(key).digest('hex') : key;

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** A log row as LiteLLM returns it (`LiteLLM_SpendLogs`); prompts and responses are never stored. */
export function logRowToWire(r: LogRow) {
  return {
    request_id: r.request_id,
    call_type: r.call_type,
    api_key: r.api_key,
    spend: r.spend,
    total_tokens: r.total_tokens,
    prompt_tokens: r.prompt_tokens,
    completion_tokens: r.completion_tokens,
    startTime: iso(r.startTime),
    endTime: iso(r.endTime),
    completionStartTime: iso(r.completionStartTime),
    model: r.model,
    model_id: r.model_id,
    model_group: r.model_group,
    custom_llm_provider: r.custom_llm_provider,
    api_base: r.api_base,
    user: r.user,
    end_user: r.end_user,
    team_id: r.team_id,
    organization_id: r.organization_id,
    metadata: r.metadata,
    cache_hit: r.cache_hit,
    cache_key: r.cache_key,
    request_tags: r.request_tags,
    requester_ip_address: r.requester_ip_address,
    session_id: r.session_id,
    status: r.status,
    messages: {},
    response: {},
    proxy_server_request: {},
  };
}
export type SpendLogWire = ReturnType<typeof logRowToWire>;

export interface SpendReadsDeps {
  db: Kysely<SpendDB>;
  now: () => Date;
}

/**
 * The reads of §1.6. Every method takes the caller's row scope, applied on every branch, so a non-admin
 * sees only its own rows whatever the parameters.
 */
export function createSpendReadsService({ db, now }: SpendReadsDeps) {
  /** LiteLLM's "last 30 days": from 00:00 UTC 30 days before today (CURRENT_DATE - 30 days). */
  const last30Days = () => {
    const t = now();
    return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()) - 30 * DAY_MS);
  };

  return {
    /**
     * GET /spend/logs. With both dates and summarize (the default), per-day summaries; otherwise rows,
     * newest first, filtered by every parameter given (LiteLLM applies only the first of api_key,
     * request_id, user_id; applying all is stricter and returns a subset). `end_date` is inclusive.
     */
    async logs(q: SpendLogsQuery, scope: RowScope): Promise<SpendLogWire[] | DaySummary[]> {
      const f: LogFilters = {
        apiKey: q.api_key === undefined ? undefined : toKeyHash(q.api_key),
        requestId: q.request_id,
        userId: scope.all ? q.user_id : undefined,
        from: q.start_date,
        to: q.end_date ? new Date(q.end_date.getTime() + DAY_MS) : undefined,
      };
      if (q.start_date && q.end_date && q.summarize) {
        const rows = await spendLogsRepository.dailyBreakdown(db, f, scope);
        return summarizeByDay(rows, q.start_date, q.end_date);
      }
      return (await spendLogsRepository.list(db, f, scope, q.limit)).map(logRowToWire);
    },

    /** GET /global/spend: spend of the last 30 days; no global budget is configured (0.0, as LiteLLM). */
    async globalSpend(scope: RowScope) {
      return { spend: await spendLogsRepository.totalSince(db, last30Days(), scope), max_budget: 0.0 };
    },

    /** GET /global/spend/logs: spend per day of the last 30 days, of one key when `api_key` is given. */
    async dailySpend(scope: RowScope, apiKey: string | undefined) {
      const hash = apiKey === undefined ? undefined : toKeyHash(apiKey);
      const rows = await spendLogsRepository.spendPerDay(db, last30Days(), scope, hash);
      return rows.map((r) => (hash === undefined ? r : { ...r, api_key: hash }));
    },

    /** GET /global/spend/keys: keys by spend of the last 30 days. */
    async topKeys(scope: RowScope, limit: number | undefined) {
      const rows = await spendLogsRepository.topKeys(db, last30Days(), scope, limit);
      return rows.map((r) => ({
        api_key: r.api_key,
        total_spend: r.total_spend,
        key_alias: r.key_alias,
        key_name: r.key_name,
      }));
    },

    /**
     * GET /global/spend/teams, shaped for LiteLLM's admin UI: spend per day and team alias (rounded to
     * cents, as LiteLLM does), the aliases, and each team's total (field `team_id` holds the alias, as in
     * LiteLLM). A team without an alias shows its id; calls without a team are "Unassigned".
     */
    async teams(scope: RowScope) {
      const rows = await spendLogsRepository.spendPerTeamAndDay(db, last30Days(), scope);
      const round2 = (n: number) => Math.round(n * 100) / 100;
      const byDate = new Map<string, Record<string, number>>();
      const totals = new Map<string, number>();
      for (const r of rows) {
        const name = r.team_alias ?? r.team_id ?? 'Unassigned';
        const spend = round2(r.spend);
        const day = byDate.get(r.date) ?? {};
        day[name] = round2((day[name] ?? 0) + spend);
        byDate.set(r.date, day);
        totals.set(name, (totals.get(name) ?? 0) + spend);
      }
      return {
        daily_spend: [...byDate.entries()].map(([date, teams]) => ({ date, ...teams })),
        teams: [...totals.keys()],
        total_spend_per_team: [...totals.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([name, total]) => ({ team_id: name, total_spend: round2(total) })),
      };
    },

    /** GET /global/spend/models: models by spend of the last 30 days. */
    async topModels(scope: RowScope, limit: number) {
      return spendLogsRepository.topModels(db, last30Days(), scope, limit);
    },

    /**
     * POST /global/spend/end_users: the top 100 end users (the `user` of a request body) by spend, from
     * `startTime` (default 30 days ago) to `endTime` (default now), of one key when `api_key` is given.
     */
    async topEndUsers(
      scope: RowScope,
      body: { api_key?: string | null; startTime?: Date | null; endTime?: Date | null },
    ) {
      const at = now();
      const from = body.startTime ?? new Date(at.getTime() - 30 * DAY_MS);
      const to = body.endTime ?? at;
      const apiKey = body.api_key ? toKeyHash(body.api_key) : undefined;
      return spendLogsRepository.topEndUsers(db, from, to, apiKey, scope);
    },
  };
}

export type SpendReadsService = ReturnType<typeof createSpendReadsService>;
