import {
  type BudgetSchedule,
  type BudgetScheduleResult,
  budgetScheduleResultSchema,
  INTERNAL_ROUTES,
  type SpendTotalsBulkResult,
  spendTotalsBulkResultSchema,
} from '@llmgw/contracts';
import { callInternal, InternalCallError } from '@llmgw/http';

/** The spend service could not answer (unreachable, timed out, an error status or an invalid body). */
export class SpendUnavailableError extends Error {
  constructor(
    reason: string,
    /** The status spend answered, when it answered (4xx: the request itself is wrong). */
    readonly status: number | null = null,
  ) {
    super(`spend service unavailable: ${reason}`);
    this.name = 'SpendUnavailableError';
  }
}

export interface TotalsQuery {
  userIds?: string[];
  teamIds?: string[];
  memberships?: { team_id: string; user_id: string }[];
}

/**
 * What identity needs from the spend service, which owns spend totals (ARCHITECTURE §1): the `spend` of
 * users, teams and memberships on the info and list routes, and their budget reset schedules.
 */
export interface SpendClient {
  /** Totals of these users, teams and memberships (every one asked for is answered; none yet is 0). */
  totals: (q: TotalsQuery) => Promise<SpendTotalsBulkResult>;
  /** Sets or clears (budget_duration null) when a user's, team's or membership's spend resets. */
  schedule: (schedule: BudgetSchedule) => Promise<BudgetScheduleResult>;
}

/** The most ids spend accepts per list in one bulk request. */
const BULK_MAX = 1000;

export function createSpendClient(opts: {
  baseUrl: string;
  internalSecret: string;
  timeoutMs: number;
}): SpendClient {
  const base = { baseUrl: opts.baseUrl, internalSecret: opts.internalSecret, timeoutMs: opts.timeoutMs };
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof InternalCallError) throw new SpendUnavailableError(err.message, err.status);
      throw err;
    }
  };

  return {
    async totals({ userIds = [], teamIds = [], memberships = [] }) {
      const out: SpendTotalsBulkResult = { keys: {}, users: {}, teams: {}, memberships: [] };
      const longest = Math.max(userIds.length, teamIds.length, memberships.length);
      for (let i = 0; i < longest; i += BULK_MAX) {
        const answer = await call(() =>
          callInternal({
            ...base,
            path: INTERNAL_ROUTES.spendTotals,
            body: {
              user_ids: userIds.slice(i, i + BULK_MAX),
              team_ids: teamIds.slice(i, i + BULK_MAX),
              memberships: memberships.slice(i, i + BULK_MAX),
            },
            schema: spendTotalsBulkResultSchema,
          }),
        );
        Object.assign(out.users, answer.users);
        Object.assign(out.teams, answer.teams);
        out.memberships.push(...answer.memberships);
      }
      return out;
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
