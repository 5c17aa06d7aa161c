import type { RedisKeys, SpendEntityKind } from '@llmgw/contracts';
import type { Redis } from 'ioredis';

/** Money in Redis is integer nano-USD, rounded like the gateway's limiter rounds it. */
export const toNano = (usd: number) => Math.round(usd * 1e9);

/**
 * The gateway's budget counter of a scope (`<limit scope>:spend`, spend so far including in-flight
 * reservations, nano-USD) and, beside it, `<limit scope>:spend:seq`: the reset sequence (`totals.reset_seq`)
 * the counter was seeded at or last adjusted to.
 */
export function counterKeys(keys: RedisKeys, kind: SpendEntityKind, id: string) {
  const base = keys.limitScope(kind, id);
  return { counter: `${base}:spend`, seq: `${base}:spend:seq` };
}

/**
 * Seeds missing counters. Per scope (KEYS counter, seq; ARGV value, seq): an existing counter is left
 * alone (SET NX semantics: concurrent seeds never add up); a counter is only created with a value read
 * at reset sequence `seq` when no later reset was recorded in Redis meanwhile, otherwise the caller must
 * read Postgres again (status -1). Answers per scope: status (1 seeded, 0 existed, -1 stale), value.
 */
const SEED_LUA = `
local out = {}
for i = 1, #KEYS, 2 do
  local a = (i + 1) / 2
  local value, seq = ARGV[a * 2 - 1], tonumber(ARGV[a * 2])
  local cur = redis.call('GET', KEYS[i])
  if cur then
    out[#out + 1] = 0
    out[#out + 1] = cur
  else
    local known = tonumber(redis.call('GET', KEYS[i + 1]) or '-1')
    if known > seq then
      out[#out + 1] = -1
      out[#out + 1] = '0'
    else
      redis.call('SET', KEYS[i], value)
      redis.call('SET', KEYS[i + 1], seq)
      out[#out + 1] = 1
      out[#out + 1] = value
    end
  end
end
return out
`;

/**
 * Applies budget resets to counters. Per scope (KEYS counter, seq; ARGV amount, seq): a reset at
 * sequence `seq` subtracts its amount (what Postgres held when it reset) from an existing counter,
 * unless the counter is already at that sequence or later (adjusted before, or seeded from a total read
 * after the reset); the sequence is recorded even when the counter is missing, so that a seed read
 * before the reset is refused. Subtracting, not zeroing, keeps in-flight reservations and settled calls
 * whose events are still queued. Answers 1 (applied) or 0 (already covered) per scope.
 */
const ADJUST_LUA = `
local out = {}
for i = 1, #KEYS, 2 do
  local a = (i + 1) / 2
  local amount, seq = ARGV[a * 2 - 1], tonumber(ARGV[a * 2])
  local known = tonumber(redis.call('GET', KEYS[i + 1]) or '-1')
  if known >= seq then
    out[#out + 1] = 0
  else
    if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECRBY', KEYS[i], amount) end
    redis.call('SET', KEYS[i + 1], seq)
    out[#out + 1] = 1
  end
end
return out
`;

export interface CounterRef {
  kind: SpendEntityKind;
  id: string;
}

export interface SeedInput extends CounterRef {
  spendNano: number;
  seq: number;
}

export type SeedOutcome =
  | { kind: SpendEntityKind; id: string; status: 'seeded' | 'existed'; spendNano: number }
  | { kind: SpendEntityKind; id: string; status: 'stale' };

export interface AdjustInput extends CounterRef {
  amountNano: number;
  seq: number;
}

type CounterRedis = Redis & {
  spendSeedCounters: (...args: (string | number)[]) => Promise<(string | number)[]>;
  spendAdjustCounters: (...args: (string | number)[]) => Promise<number[]>;
};

/** The spend service's side of the gateway's Redis budget counters: seeding and reset adjustments. */
export function createBudgetCounters(redis: Redis, keys: RedisKeys) {
  redis.defineCommand('spendSeedCounters', { lua: SEED_LUA });
  redis.defineCommand('spendAdjustCounters', { lua: ADJUST_LUA });
  const r = redis as CounterRedis;
  const keyArgs = (items: CounterRef[]) =>
    items.flatMap((it) => {
      const k = counterKeys(keys, it.kind, it.id);
      return [k.counter, k.seq];
    });

  return {
    async seed(items: SeedInput[]): Promise<SeedOutcome[]> {
      if (items.length === 0) return [];
      const args = [items.length * 2, ...keyArgs(items), ...items.flatMap((it) => [it.spendNano, it.seq])];
      const out = await r.spendSeedCounters(...args);
      return items.map((it, i) => {
        const status = Number(out[i * 2]);
        if (status < 0) return { kind: it.kind, id: it.id, status: 'stale' };
        return {
          kind: it.kind,
          id: it.id,
          status: status === 1 ? 'seeded' : 'existed',
          spendNano: Number(out[i * 2 + 1]),
        };
      });
    },

    /**
     * Copies a key's counter and reset sequence to another key (replacing them), for /key/regenerate:
     * the new hash keeps what the old one had spent, in-flight reservations included.
     */
    async copyKey(from: string, to: string): Promise<void> {
      const a = counterKeys(keys, 'key', from);
      const b = counterKeys(keys, 'key', to);
      await redis.multi().copy(a.counter, b.counter, 'REPLACE').copy(a.seq, b.seq, 'REPLACE').exec();
    },

    /** Answers, per item, whether the reset was applied now (false: it was covered already). */
    async adjust(items: AdjustInput[]): Promise<boolean[]> {
      if (items.length === 0) return [];
      const args = [items.length * 2, ...keyArgs(items), ...items.flatMap((it) => [it.amountNano, it.seq])];
      const out = await r.spendAdjustCounters(...args);
      return out.map((v) => Number(v) === 1);
    },
  };
}

export type BudgetCounters = ReturnType<typeof createBudgetCounters>;
