import { nextBudgetReset, parseDuration } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import type { Logger } from '@llmgw/http';
import type { SpendDB } from '../db';
import { type BudgetCounters, toNano } from './budget-counters';
import { totalsRepository } from './totals.repository';

export interface ResetsServiceDeps {
  db: Kysely<SpendDB>;
  counters: BudgetCounters;
  now: () => Date;
  logger: Logger;
  /** Rows reset (or adjustments applied) per transaction. */
  batchSize?: number;
}

export interface ResetRun {
  /** Totals reset by their budget_duration in this run. */
  reset: number;
  /** Resets subtracted from Redis counters in this run (including ones an earlier run left owed). */
  adjusted: number;
}

/**
 * Budget resets (wire contract §0.3): totals whose `budget_reset_at` has come are zeroed and get their
 * next reset time, and the Redis budget counters are adjusted to match. Postgres first, then Redis,
 * through the `budget_resets` outbox: a run that dies in between leaves the adjustment owed, and the
 * next run applies it (the counter scripts make every adjustment apply once).
 */
export function createResetsService({ db, counters, now, logger, batchSize = 500 }: ResetsServiceDeps) {
  async function applyOwedAdjustments(): Promise<number> {
    let applied = 0;
    for (;;) {
      const owed = await totalsRepository.pendingAdjustments(db, batchSize);
      if (owed.length === 0) break;
      await counters.adjust(
        owed.map((o) => ({
          kind: o.entity_kind,
          id: o.entity_id,
          amountNano: toNano(o.amount),
          seq: o.reset_seq,
        })),
      );
      await totalsRepository.markApplied(
        db,
        owed.map((o) => o.id),
        now(),
      );
      applied += owed.length;
      if (owed.length < batchSize) break;
    }
    return applied;
  }

  return {
    /** Resets every total that is due at `now()`, then brings the Redis counters in line. */
    async runDue(): Promise<ResetRun> {
      const at = now();
      let reset = 0;
      for (;;) {
        const n = await db.transaction().execute(async (tx) => {
          const due = await totalsRepository.lockDue(tx, at, batchSize);
          for (const row of due) {
            const d = parseDuration(row.budget_duration);
            let next = d ? nextBudgetReset(at, d) : null;
            // "0d" means "reset at every run" (LiteLLM: now); never leave a row due within this run.
            if (next !== null && next.getTime() <= at.getTime()) next = new Date(at.getTime() + 1);
            await totalsRepository.reset(tx, row, next, at, 'budget_duration');
          }
          return due.length;
        });
        reset += n;
        if (n < batchSize) break;
      }
      const adjusted = await applyOwedAdjustments();
      if (reset > 0 || adjusted > 0) logger.info({ reset, adjusted }, 'budget resets applied');
      return { reset, adjusted };
    },

    /**
     * POST /global/spend/reset: every key and team total to 0 (as LiteLLM does; user and membership
     * totals stay). A failure to reach Redis leaves the adjustments owed to the next scheduled run.
     */
    async resetAllKeysAndTeams(): Promise<number> {
      const n = await totalsRepository.resetAllKeysAndTeams(db, now());
      try {
        await applyOwedAdjustments();
      } catch (err) {
        logger.warn(
          { err: (err as Error).message },
          'redis counters not adjusted yet; the next reset run will',
        );
      }
      return n;
    },

    applyOwedAdjustments,
  };
}

export type ResetsService = ReturnType<typeof createResetsService>;
