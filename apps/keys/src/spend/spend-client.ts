import {
  type BudgetSchedule,
  type BudgetScheduleResult,
  budgetScheduleResultSchema,
  type EntityTotals,
  INTERNAL_ROUTES,
  spendTotalsBulkResultSchema,
} from '@llmgw/contracts';
import { callInternal, InternalCallError } from '@llmgw/http';
import { z } from 'zod';

/** The spend service could not answer (unreachable, timed out, an error status or an invalid body). */
export class SpendUnavailableError extends Error {
  constructor(
    reason: string,
    /** The status spend answered, when it answered (4xx: the request itself is wrong, retrying is futile). */
    readonly status: number | null = null,
  ) {
    super(`spend service unavailable: ${reason}`);
    this.name = 'SpendUnavailableError';
  }
}

/**
 * What keys needs from the spend service, which owns spend totals (ARCHITECTURE §1): the `spend` of keys
 * for /key/info and /key/list, and the budget reset schedule of keys with a `budget_duration`.
 */
export interface SpendClient {
  /** Totals of these key hashes, by hash (every hash asked for is in the answer; no spend yet is 0). */
  keyTotals: (hashes: string[]) => Promise<Map<string, EntityTotals>>;
  /** Sets or clears (budget_duration null) when a key's spend resets. */
  schedule: (schedule: BudgetSchedule) => Promise<BudgetScheduleResult>;
  /** /key/regenerate: the new hash takes over the old hash's total, schedule and budget counter. */
  copyKey: (fromHash: string, toHash: string) => Promise<void>;
}

const spendCopyKeyResultSchema = z.object({ copied: z.boolean() });

/** The most ids spend accepts in one bulk request. */
const BULK_MAX = 1000;

export function createSpendClient(opts: {
  baseUrl: string;
  internalSecret: string;
  timeoutMs: number;
}): SpendClient {
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof InternalCallError) throw new SpendUnavailableError(err.message, err.status);
      throw err;
    }
  };
  const base = { baseUrl: opts.baseUrl, internalSecret: opts.internalSecret, timeoutMs: opts.timeoutMs };

  return {
    async keyTotals(hashes) {
      const unique = [...new Set(hashes)];
      const out = new Map<string, EntityTotals>();
      for (let i = 0; i < unique.length; i += BULK_MAX) {
        const answer = await call(() =>
          callInternal({
            ...base,
            path: INTERNAL_ROUTES.spendTotals,
            body: { key_hashes: unique.slice(i, i + BULK_MAX) },
            schema: spendTotalsBulkResultSchema,
          }),
        );
        for (const [hash, totals] of Object.entries(answer.keys)) out.set(hash, totals);
      }
      return out;
    },

    async copyKey(fromHash, toHash) {
      await call(() =>
        callInternal({
          ...base,
          path: INTERNAL_ROUTES.spendCopyKey,
          body: { from_key_hash: fromHash, to_key_hash: toHash },
          schema: spendCopyKeyResultSchema,
        }),
      );
    },

    schedule: (schedule) =>
      call(() =>
        callInternal({
          ...base,
          path: INTERNAL_ROUTES.budgetSchedule,
          body: schedule,
          schema: budgetScheduleResultSchema,
        }),
      ),
  };
}
