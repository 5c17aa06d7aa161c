import { type BudgetSchedule, memberId } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import {
  createOutboxRunner,
  isRefusal,
  type OutboxRunner,
  oneAtATimePerKey,
  PermanentDeliveryError,
} from '@llmgw/db/outbox';
import type { Logger } from '@llmgw/http';
import type { IdentityDB } from '../db';
import { type SpendClient, SpendUnavailableError } from '../spend/spend-client';
import { teamsRepository } from '../teams/teams.repository';
import { usersRepository } from '../users/users.repository';

/** A user, a team, or a membership (`id` = `<team id>:<user id>`, the spend service's member id). */
export interface ScheduleRef {
  kind: 'user' | 'team' | 'member';
  id: string;
}

export const memberRef = (teamId: string, userId: string): ScheduleRef => ({
  kind: 'member',
  id: memberId(teamId, userId),
});

/**
 * Budget schedules owed to the spend service, as a transactional outbox (the same delivery as the auth
 * invalidations: after commit, then retried by a pump with backoff). Whenever a user's, team's or
 * membership's `budget_duration` is set, changed or cleared, or the entity is deleted, a row naming it is
 * added in the same transaction. Delivery reads the entity's schedule as it is at that moment (none when
 * it is gone) and sends that, so however rows race or are retried, the last delivery carries the newest
 * state; one entity's deliveries in this process go one at a time.
 */
export interface BudgetScheduleOutbox extends OutboxRunner {
  /** Records schedules to send in the caller's transaction; returns the row ids to deliver after commit. */
  add: (tx: Kysely<IdentityDB>, refs: ScheduleRef[]) => Promise<number[]>;
}

export function createBudgetScheduleOutbox(deps: {
  db: Kysely<IdentityDB>;
  spend: SpendClient;
  logger: Logger;
  now: () => Date;
}): BudgetScheduleOutbox {
  const { db, spend, now } = deps;
  const select = () =>
    db
      .selectFrom('identity.budget_schedule_outbox')
      .select(['id', 'entity_kind', 'entity_id', 'attempts'])
      .orderBy('id');

  /** The entity's schedule now: null when it has none or no longer exists. */
  const currentSchedule = async (
    ref: ScheduleRef,
  ): Promise<{ budget_duration: string | null; budget_reset_at: Date | null } | null> => {
    if (ref.kind === 'user') return (await usersRepository.findById(db, ref.id)) ?? null;
    if (ref.kind === 'team') return (await teamsRepository.findById(db, ref.id)) ?? null;
    const at = ref.id.indexOf(':');
    if (at < 0) return null;
    return (await teamsRepository.membership(db, ref.id.slice(0, at), ref.id.slice(at + 1))) ?? null;
  };

  const sendNow = async (ref: ScheduleRef) => {
    const state = await currentSchedule(ref);
    const schedule: BudgetSchedule = { kind: ref.kind, id: ref.id, budget_duration: null };
    if (state?.budget_duration) {
      schedule.budget_duration = state.budget_duration;
      // The reset time identity computed, so both show the same; once it has passed (a late retry),
      // spend keeps its own schedule of that duration (it may have reset and moved on already).
      if (state.budget_reset_at && new Date(state.budget_reset_at).getTime() > now().getTime()) {
        schedule.budget_reset_at = new Date(state.budget_reset_at).toISOString();
      }
    }
    try {
      await spend.schedule(schedule);
    } catch (err) {
      // Spend refused this schedule itself: sending it again cannot help.
      if (err instanceof SpendUnavailableError && isRefusal(err.status)) {
        throw new PermanentDeliveryError(err.message);
      }
      throw err;
    }
  };

  /** One entity at a time: a delivery reads the state only after the previous one was sent. */
  const serial = oneAtATimePerKey();
  const runner = createOutboxRunner({
    table: {
      due: (at, limit) => select().where('next_attempt_at', '<=', at).limit(limit).execute(),
      byIds: (ids) => select().where('id', 'in', ids).execute(),
      remove: async (id) => {
        await db.deleteFrom('identity.budget_schedule_outbox').where('id', '=', id).execute();
      },
      postpone: async (id, attempts, error, nextAttemptAt) => {
        await db
          .updateTable('identity.budget_schedule_outbox')
          .set({ attempts, last_error: error, next_attempt_at: nextAttemptAt })
          .where('id', '=', id)
          .execute();
      },
    },
    send: (row) => {
      const ref = { kind: row.entity_kind, id: row.entity_id };
      return serial(`${ref.kind}:${ref.id}`, () => sendNow(ref));
    },
    logger: deps.logger,
    now,
    failureMessage: 'budget schedule not delivered to the spend service',
  });

  return {
    ...runner,
    async add(tx, refs) {
      const unique = [...new Map(refs.map((r) => [`${r.kind}:${r.id}`, r])).values()];
      if (unique.length === 0) return [];
      const rows = await tx
        .insertInto('identity.budget_schedule_outbox')
        .values(
          unique.map((r) => ({
            entity_kind: r.kind,
            entity_id: r.id,
            next_attempt_at: now(),
            created_at: now(),
          })),
        )
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },
  };
}
