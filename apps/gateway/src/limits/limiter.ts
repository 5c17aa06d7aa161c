import { type AuthRecord, type LimitScopeKind, memberId, type RedisKeys } from '@llmgw/contracts';
import { ProxyError } from '@llmgw/http';
import type { Redis } from 'ioredis';
import { RESERVE_LUA, SETTLE_LUA } from './limiter.lua';

/** Money inside Redis is integer nano-USD: exact sums, and 2^53 nano-USD is $9M per counter. */
export const toNano = (usd: number) => Math.round(usd * 1e9);
const fromNano = (nano: number) => nano / 1e9;

const WINDOW_MS = 60_000;
/** RESERVE's answer when budget counters must be seeded first. */
const SEED = 2;

export const budgetStoreUnavailable = () =>
  new ProxyError({
    status: 503,
    message:
      'rate limits and budgets cannot be checked right now (Redis or the spend service is unreachable), retry shortly',
    type: 'service_unavailable',
    param: null,
  });

/** One thing limits apply to; its name is the LiteLLM descriptor used in headers and messages. */
export interface Scope {
  descriptor: 'api_key' | 'user' | 'team' | 'team_member' | 'model_per_key' | 'deployment';
  /** The value shown in messages (key hash, user id, team id, ...). */
  value: string;
  base: string;
  rpm: number | null;
  tpm: number | null;
  parallel: number | null;
  /** USD; null = no budget on this scope. */
  maxBudget: number | null;
  /** The spend-service entity whose Postgres total seeds this scope's budget counter. */
  kind: LimitScopeKind;
  id: string;
  /** Wording of the budget error (LiteLLM words key, team and user budgets differently). */
  budgetMessage: (spentUsd: number, maxUsd: number) => string;
}

export interface Reservation {
  scopes: Scope[];
  reqId: string;
  reservedNano: number;
  /** Remaining requests/tokens per scope (null = unlimited), for x-ratelimit-* headers. */
  remaining: { requests: number | null; tokens: number | null }[];
}

/** Python-style float for messages (LiteLLM prints Python floats: 1e-07, 0.00012). */
export function pyFloat(n: number): string {
  if (Number.isInteger(n)) return `${n}.0`;
  const s = String(n);
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** LiteLLM prints reset times as `2025-12-09 12:01:00 UTC`. */
const resetText = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

type LimiterRedis = Redis & {
  llmgwReserve: (...args: (string | number)[]) => Promise<(string | number)[]>;
  llmgwSettle: (...args: (string | number)[]) => Promise<number>;
};

/** Rejections caused by a deployment's own limit (not the caller's), which another deployment may take. */
const deploymentFull = new WeakSet<object>();

/** True when `err` is a 429 from a deployment's own rpm/tpm (config.yaml), not from the caller's limits. */
export function isDeploymentFull(err: unknown): boolean {
  return typeof err === 'object' && err !== null && deploymentFull.has(err);
}

/**
 * Rate limits and budgets of every scope of a request in one Redis round trip before the call
 * (`reserve`) and one after (`settle`). Correct across any number of gateway replicas.
 */
export class Limiter {
  private readonly redis: LimiterRedis;

  constructor(
    redis: Redis,
    private readonly opts: {
      parallelTtlMs: number;
      now: () => number;
      /** Asks the spend service to seed the missing budget counters of these scopes from Postgres. */
      seed: (scopes: Scope[]) => Promise<void>;
    },
  ) {
    redis.defineCommand('llmgwReserve', { lua: RESERVE_LUA });
    redis.defineCommand('llmgwSettle', { lua: SETTLE_LUA });
    this.redis = redis as LimiterRedis;
  }

  async reserve(scopes: Scope[], reqId: string, estimateUsd: number): Promise<Reservation> {
    const reservedNano = toNano(estimateUsd);
    if (scopes.length === 0) return { scopes, reqId, reservedNano, remaining: [] };
    const args: (string | number)[] = [scopes.length, ...scopes.map((s) => s.base)];
    args.push(this.opts.now(), WINDOW_MS, reqId, this.opts.parallelTtlMs);
    for (const s of scopes) {
      args.push(
        s.rpm ?? -1,
        s.tpm ?? -1,
        s.parallel ?? -1,
        s.maxBudget === null ? -1 : toNano(s.maxBudget),
        reservedNano,
      );
    }
    let result = await this.redis.llmgwReserve(...args);
    if (Number(result[0]) === SEED) {
      // A budget counter is missing (first use, or Redis lost it): seed from Postgres, then once more.
      await this.opts.seed(result.slice(1).map((i) => scopes[Number(i) - 1] as Scope));
      result = await this.redis.llmgwReserve(...args);
      if (Number(result[0]) === SEED) throw budgetStoreUnavailable();
    }
    const [ok, index, type, limit, extra, ...rest] = result;
    if (Number(ok) !== 1) {
      throw this.rejection(scopes[Number(index) - 1] as Scope, String(type), Number(limit), Number(extra));
    }
    const remaining = scopes.map((_, i) => {
      const r = Number(rest[i * 2]);
      const t = Number(rest[i * 2 + 1]);
      return { requests: r < 0 ? null : r, tokens: t < 0 ? null : t };
    });
    return { scopes, reqId, reservedNano, remaining };
  }

  async settle(r: Reservation, tokens: number, actualUsd: number): Promise<void> {
    if (r.scopes.length === 0) return;
    const actualNano = toNano(actualUsd);
    const args: (string | number)[] = [r.scopes.length, ...r.scopes.map((s) => s.base)];
    args.push(this.opts.now(), WINDOW_MS, r.reqId);
    for (const s of r.scopes) {
      args.push(
        tokens,
        r.reservedNano,
        actualNano,
        s.maxBudget === null ? 0 : 1,
        s.tpm === null ? 0 : 1,
        s.parallel === null ? 0 : 1,
      );
    }
    await this.redis.llmgwSettle(...args);
  }

  private rejection(scope: Scope, type: string, limit: number, extra: number): ProxyError {
    if (type === 'budget') {
      return new ProxyError({
        status: 400,
        message: scope.budgetMessage(fromNano(extra), fromNano(limit)),
        type: 'budget_exceeded',
        param: null,
      });
    }
    const resetAt = type === 'max_parallel_requests' ? this.opts.now() + 1000 : extra;
    const retryAfter = Math.max(1, Math.ceil((resetAt - this.opts.now()) / 1000));
    const err = new ProxyError({
      status: 429,
      message: `Rate limit exceeded for ${scope.descriptor}: ${scope.value}. Limit type: ${type}. Current limit: ${limit}, Remaining: 0. Limit resets at: ${resetText(resetAt)}`,
      type: 'None',
      param: 'None',
      headers: {
        'retry-after': String(retryAfter),
        rate_limit_type: type,
        reset_at: resetText(resetAt),
        [`x-ratelimit-${scope.descriptor}-limit-${type === 'tokens' ? 'tokens' : 'requests'}`]: String(limit),
        [`x-ratelimit-${scope.descriptor}-remaining-${type === 'tokens' ? 'tokens' : 'requests'}`]: '0',
      },
    });
    if (scope.kind === 'deployment') deploymentFull.add(err);
    return err;
  }
}

/** The scopes a request is limited by. Only scopes with at least one limit or budget are returned. */
export function scopesFor(record: AuthRecord, model: string, keys: RedisKeys): Scope[] {
  const scopes: Scope[] = [];
  const keyBudget = (spent: number, max: number) =>
    `Budget has been exceeded! Current cost: ${pyFloat(spent)}, Max budget: ${pyFloat(max)}`;
  const push = (s: Scope) => {
    if (s.rpm !== null || s.tpm !== null || s.parallel !== null || s.maxBudget !== null) scopes.push(s);
  };
  push({
    descriptor: 'api_key',
    value: record.token,
    kind: 'key',
    id: record.token,
    base: keys.limitScope('key', record.token),
    rpm: record.rpmLimit,
    tpm: record.tpmLimit,
    parallel: record.maxParallelRequests,
    maxBudget: record.maxBudget,
    budgetMessage: keyBudget,
  });
  const modelRpm = (record.metadata.model_rpm_limit as Record<string, number> | undefined)?.[model];
  const modelTpm = (record.metadata.model_tpm_limit as Record<string, number> | undefined)?.[model];
  if (modelRpm !== undefined || modelTpm !== undefined) {
    push({
      descriptor: 'model_per_key',
      value: `${record.token}:${model}`,
      kind: 'mpk',
      id: `${record.token}:${model}`,
      base: keys.limitScope('mpk', `${record.token}:${model}`),
      rpm: modelRpm ?? null,
      tpm: modelTpm ?? null,
      parallel: null,
      maxBudget: null,
      budgetMessage: keyBudget,
    });
  }
  const { owner, team, membership } = record;
  if (owner) {
    push({
      descriptor: 'user',
      value: owner.userId,
      kind: 'user',
      id: owner.userId,
      base: keys.limitScope('user', owner.userId),
      rpm: owner.rpmLimit,
      tpm: owner.tpmLimit,
      parallel: owner.maxParallelRequests,
      // A user's personal budget applies to keys without a team only (LiteLLM §3 "Combination").
      maxBudget: team ? null : owner.maxBudget,
      budgetMessage: (spent, max) =>
        `ExceededBudget: User=${owner.userId} over budget. Spend=${pyFloat(spent)}, Budget=${pyFloat(max)}`,
    });
  }
  if (team) {
    push({
      descriptor: 'team',
      value: team.teamId,
      kind: 'team',
      id: team.teamId,
      base: keys.limitScope('team', team.teamId),
      rpm: team.rpmLimit,
      tpm: team.tpmLimit,
      parallel: team.maxParallelRequests,
      maxBudget: team.maxBudget,
      budgetMessage: (spent, max) =>
        `Budget has been exceeded! Team=${team.teamId} Current cost: ${pyFloat(spent)}, Max budget: ${pyFloat(max)}`,
    });
    if (membership && owner) {
      const id = memberId(team.teamId, owner.userId);
      push({
        descriptor: 'team_member',
        value: id,
        kind: 'member',
        id,
        base: keys.limitScope('member', id),
        rpm: membership.rpmLimit,
        tpm: membership.tpmLimit,
        parallel: membership.maxParallelRequests,
        maxBudget: membership.maxBudget,
        budgetMessage: (spent, max) =>
          `Budget has been exceeded! Team member=${owner.userId} in Team=${team.teamId} Current cost: ${pyFloat(spent)}, Max budget: ${pyFloat(max)}`,
      });
    }
  }
  return scopes;
}

/** A deployment's own rpm/tpm from config.yaml, shared by every caller (null when it sets none). */
export function deploymentScope(
  d: { id: string; rpm: number | null; tpm: number | null },
  keys: RedisKeys,
): Scope | null {
  if (d.rpm === null && d.tpm === null) return null;
  return {
    descriptor: 'deployment',
    value: d.id,
    kind: 'deployment',
    id: d.id,
    base: keys.limitScope('deployment', d.id),
    rpm: d.rpm,
    tpm: d.tpm,
    parallel: null,
    maxBudget: null,
    budgetMessage: () => '',
  };
}
