import {
  type BudgetSchedule,
  type BudgetScheduleResult,
  type EntityTotals,
  memberId,
  nextBudgetReset,
  parseDuration,
  type SpendCopyKey,
  type SpendCounterSeedResult,
  type SpendTotals,
  type SpendTotalsBulk,
  type SpendTotalsBulkResult,
  type SpendTotalsQuery,
  splitMemberId,
} from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import type { SpendDB } from '../db';
import type { BudgetCounters, SeedInput } from './budget-counters';
import { toNano } from './budget-counters';
import { totalsErrors } from './totals.errors';
import { type EntityRef, type TotalsRow, totalsRepository } from './totals.repository';

export interface TotalsServiceDeps {
  db: Kysely<SpendDB>;
  counters: BudgetCounters;
  now: () => Date;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const ZERO: EntityTotals = { spend: 0, budget_duration: null, budget_reset_at: null };
const toWire = (row: TotalsRow | undefined): EntityTotals =>
  row
    ? { spend: row.spend, budget_duration: row.budget_duration, budget_reset_at: iso(row.budget_reset_at) }
    : ZERO;
const refKey = (r: EntityRef) => `${r.kind}\u0000${r.id}`;

/** The refs a key/user/team query names: the membership when both user and team are given. */
function refsOf(q: SpendTotalsQuery): EntityRef[] {
  const refs: EntityRef[] = [];
  if (q.key_hash) refs.push({ kind: 'key', id: q.key_hash });
  if (q.user_id) refs.push({ kind: 'user', id: q.user_id });
  if (q.team_id) refs.push({ kind: 'team', id: q.team_id });
  if (q.team_id && q.user_id) refs.push({ kind: 'member', id: memberId(q.team_id, q.user_id) });
  return refs;
}

/** The refs of a bulk query, memberships as `<team id>:<user id>`. */
function bulkRefsOf(q: SpendTotalsBulk): EntityRef[] {
  return [
    ...q.key_hashes.map((id) => ({ kind: 'key' as const, id })),
    ...q.user_ids.map((id) => ({ kind: 'user' as const, id })),
    ...q.team_ids.map((id) => ({ kind: 'team' as const, id })),
    ...q.memberships.map((m) => ({ kind: 'member' as const, id: memberId(m.team_id, m.user_id) })),
  ];
}

/** How often a seed retries when budget resets keep landing between its read and its write. */
const SEED_ATTEMPTS = 5;

export function createTotalsService({ db, counters, now }: TotalsServiceDeps) {
  const lookup = async (refs: EntityRef[]) => {
    const rows = await totalsRepository.find(db, refs);
    const byRef = new Map(rows.map((r) => [refKey({ kind: r.entity_kind, id: r.entity_id }), r]));
    return (ref: EntityRef) => byRef.get(refKey(ref));
  };

  /**
   * Rebuilds missing Redis budget counters from Postgres. A counter that exists is never touched, so
   * concurrent seeds (several gateways after a Redis restart) cannot add up; a value read before a
   * budget reset is refused by the script and read again.
   */
  const seed = async (
    refs: EntityRef[],
    /** Leave scopes still contended out of the answer instead of failing them all (bulk seeds). */
    partial = false,
  ): Promise<SpendCounterSeedResult> => {
    let pending = refs;
    const done = new Map<string, SpendCounterSeedResult['counters'][number]>();
    for (let attempt = 0; attempt < SEED_ATTEMPTS && pending.length > 0; attempt++) {
      const find = await lookup(pending);
      const inputs: SeedInput[] = pending.map((ref) => {
        const row = find(ref);
        return { ...ref, spendNano: row ? toNano(row.spend) : 0, seq: row?.reset_seq ?? 0 };
      });
      const outcomes = await counters.seed(inputs);
      pending = [];
      for (const o of outcomes) {
        if (o.status === 'stale') pending.push({ kind: o.kind, id: o.id });
        else
          done.set(refKey(o), {
            kind: o.kind,
            id: o.id,
            spend_nano: o.spendNano,
            seeded: o.status === 'seeded',
          });
      }
    }
    if (pending.length > 0 && !partial) throw totalsErrors.seedContended();
    return { counters: refs.flatMap((ref) => done.get(refKey(ref)) ?? []) };
  };

  return {
    /** Totals of a key, a user, a team and the membership of the user in the team. */
    async get(q: SpendTotalsQuery): Promise<SpendTotals> {
      const find = await lookup(refsOf(q));
      return {
        key: q.key_hash ? toWire(find({ kind: 'key', id: q.key_hash })) : null,
        user: q.user_id ? toWire(find({ kind: 'user', id: q.user_id })) : null,
        team: q.team_id ? toWire(find({ kind: 'team', id: q.team_id })) : null,
        membership:
          q.team_id && q.user_id
            ? toWire(find({ kind: 'member', id: memberId(q.team_id, q.user_id) }))
            : null,
      };
    },

    async getMany(q: SpendTotalsBulk): Promise<SpendTotalsBulkResult> {
      const find = await lookup(bulkRefsOf(q));
      const byId = (kind: 'key' | 'user' | 'team', ids: string[]) =>
        Object.fromEntries(ids.map((id) => [id, toWire(find({ kind, id }))]));
      return {
        keys: byId('key', q.key_hashes),
        users: byId('user', q.user_ids),
        teams: byId('team', q.team_ids),
        memberships: q.memberships.map((m) => ({
          team_id: m.team_id,
          user_id: m.user_id,
          ...toWire(find({ kind: 'member', id: memberId(m.team_id, m.user_id) })),
        })),
      };
    },

    seedCounters(q: SpendTotalsQuery): Promise<SpendCounterSeedResult> {
      return seed(refsOf(q));
    },

    /**
     * The same for many keys, users, teams and memberships: one Postgres read, one Redis script. A scope
     * that stays contended (resets keep landing) is left out rather than failing the others: its
     * requests find the counter missing again and get 503, the rest go on.
     */
    seedManyCounters(q: SpendTotalsBulk): Promise<SpendCounterSeedResult> {
      return seed(bulkRefsOf(q), true);
    },

    /**
     * /key/regenerate: the new hash takes over the old one's total, schedule and Redis counter (the old
     * hash keeps its rows, so a regenerate that fails after this changes nothing that matters).
     */
    async copyKey(input: SpendCopyKey): Promise<{ copied: boolean }> {
      const row = await totalsRepository.copyKeyTotals(db, input.from_key_hash, input.to_key_hash);
      await counters.copyKey(input.from_key_hash, input.to_key_hash);
      return { copied: row !== undefined };
    },

    /**
     * Sets (or clears) when an entity's total resets. The same duration again keeps the current
     * schedule, so owners may send it on every update.
     */
    async schedule(input: BudgetSchedule): Promise<BudgetScheduleResult> {
      const duration = input.budget_duration === null ? null : parseDuration(input.budget_duration);
      if (input.budget_duration !== null && duration === null) {
        throw totalsErrors.badDuration(input.budget_duration);
      }
      const ref = { kind: input.kind, id: input.id };
      let member = { teamId: null as string | null, userId: null as string | null };
      if (input.kind === 'member') {
        member = splitMemberId(input.id);
        if (member.teamId === null) throw totalsErrors.badMemberId(input.id);
      }
      return db.transaction().execute(async (tx) => {
        const current = await totalsRepository.findForUpdate(tx, ref);
        let resetAt: Date | null = null;
        if (duration !== null) {
          if (input.budget_reset_at) resetAt = new Date(input.budget_reset_at);
          else if (current?.budget_duration === input.budget_duration && current.budget_reset_at)
            resetAt = current.budget_reset_at;
          else resetAt = nextBudgetReset(now(), duration);
        }
        const durationText = duration === null ? null : input.budget_duration;
        await totalsRepository.upsertSchedule(tx, { ...ref, ...member }, durationText, resetAt);
        return {
          kind: input.kind,
          id: input.id,
          budget_duration: durationText,
          budget_reset_at: iso(resetAt),
        };
      });
    },
  };
}

export type TotalsService = ReturnType<typeof createTotalsService>;
