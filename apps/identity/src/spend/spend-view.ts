import type { EntityTotals } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import type { Response } from 'express';
import { type SpendClient, SpendUnavailableError, type TotalsQuery } from './spend-client';

/**
 * Set (to "1") on a read whose `spend` values are identity's stored copy because the spend service, which
 * owns spend totals, could not be reached. Management reads never fail because of it (LiteLLM, too,
 * answers the spend it has).
 */
export const SPEND_STALE_HEADER = 'x-llmgw-spend-stale';

/** A read's answer and whether its spend is the stored copy. */
export interface WithSpend<T> {
  value: T;
  spendStale: boolean;
}

/** Answers a read, with the stale header when its spend could not come from the spend service. */
export function sendWithSpend(res: Response, { value, spendStale }: WithSpend<unknown>): void {
  if (spendStale) res.setHeader(SPEND_STALE_HEADER, '1');
  res.json(value);
}

/** The wire fields the spend service's totals replace. */
interface Budgeted {
  spend: number;
  budget_duration: string | null;
  budget_reset_at: string | null;
}

/**
 * `spend` from the totals; `budget_reset_at` too when spend runs the same schedule (it moves the reset
 * time on at every reset, identity keeps the first one).
 */
export function withTotals<T extends Budgeted>(wire: T, totals: EntityTotals | undefined): T {
  if (!totals) return wire;
  const sameSchedule =
    wire.budget_duration !== null &&
    totals.budget_duration === wire.budget_duration &&
    totals.budget_reset_at !== null;
  return {
    ...wire,
    spend: totals.spend,
    budget_reset_at: sameSchedule ? totals.budget_reset_at : wire.budget_reset_at,
  };
}

/** A membership on the wire (`membershipToWire`): spend at the top, its budget in litellm_budget_table. */
interface MembershipWire {
  spend: number;
  litellm_budget_table: { budget_duration: string | null; budget_reset_at: string | null } | null;
}

export function membershipWithTotals<T extends MembershipWire>(wire: T, totals: EntityTotals | undefined): T {
  if (!totals) return wire;
  const table = wire.litellm_budget_table;
  const sameSchedule =
    table !== null &&
    table.budget_duration !== null &&
    totals.budget_duration === table.budget_duration &&
    totals.budget_reset_at !== null;
  return {
    ...wire,
    spend: totals.spend,
    litellm_budget_table: sameSchedule ? { ...table, budget_reset_at: totals.budget_reset_at } : table,
  };
}

/** Totals of the users, teams and memberships of one read, looked up in one bulk call. */
export interface SpendView {
  /** The spend service could not answer: every lookup is undefined (wire values stay as stored). */
  stale: boolean;
  user: (userId: string) => EntityTotals | undefined;
  team: (teamId: string) => EntityTotals | undefined;
  member: (teamId: string, userId: string) => EntityTotals | undefined;
}

const memberKey = (teamId: string, userId: string) => `${teamId}\u0000${userId}`;

export async function loadSpendView(spend: SpendClient, logger: Logger, q: TotalsQuery): Promise<SpendView> {
  const empty = !q.userIds?.length && !q.teamIds?.length && !q.memberships?.length;
  if (empty) return { stale: false, user: () => undefined, team: () => undefined, member: () => undefined };
  try {
    const totals = await spend.totals(q);
    const members = new Map(totals.memberships.map((m) => [memberKey(m.team_id, m.user_id), m]));
    return {
      stale: false,
      user: (id) => totals.users[id],
      team: (id) => totals.teams[id],
      member: (teamId, userId) => {
        const m = members.get(memberKey(teamId, userId));
        return (
          m && { spend: m.spend, budget_duration: m.budget_duration, budget_reset_at: m.budget_reset_at }
        );
      },
    };
  } catch (err) {
    if (!(err instanceof SpendUnavailableError)) throw err;
    logger.warn({ err: err.message }, 'spend totals unavailable; answering stored spend');
    return { stale: true, user: () => undefined, team: () => undefined, member: () => undefined };
  }
}
