import type { Kysely } from '@llmgw/db';
import {
  createOutboxRunner,
  isRefusal,
  type OutboxRunner,
  oneAtATimePerKey,
  PermanentDeliveryError,
} from '@llmgw/db/outbox';
import type { Logger } from '@llmgw/http';
import type { KeysDB } from '../db';
import { keysRepository } from '../keys/keys.repository';
import { scheduleOf } from '../keys/keys.service';
import { type SpendClient, SpendUnavailableError } from './spend-client';

/**
 * Key budget schedules owed to the spend service, as a transactional outbox (the same delivery as
 * identity's): a key write that sets, changes or clears a `budget_duration` adds a row naming the key hash
 * in its own transaction; the row is delivered right after commit (before the route answers) and retried
 * by a pump with backoff until spend has it, across restarts. Delivery reads the key as it is then and
 * sends its schedule (none when the hash is gone: deleted or regenerated), so however rows race or are
 * retried, the last delivery carries the newest state (one key's deliveries go one at a time per process).
 */
export interface BudgetScheduleOutbox extends OutboxRunner {
  /** Records the keys to send in the caller's transaction; returns the row ids to deliver after commit. */
  add: (tx: Kysely<KeysDB>, tokens: string[]) => Promise<number[]>;
  /** Key hashes whose schedule is still owed. */
  owed: () => Promise<string[]>;
}

/** How long a new row is left to its after-commit delivery before the pump may take it. */
const PUMP_GRACE_MS = 10_000;

export function createBudgetScheduleOutbox(deps: {
  db: Kysely<KeysDB>;
  spend: SpendClient;
  logger: Logger;
  now: () => Date;
}): BudgetScheduleOutbox {
  const { db, spend, now } = deps;
  const TABLE = 'keys.budget_schedule_outbox' as const;
  const select = () => db.selectFrom(TABLE).select(['id', 'token', 'attempts']).orderBy('id');

  const sendNow = async (token: string) => {
    const schedule = scheduleOf(token, (await keysRepository.findByToken(db, token)) ?? null);
    // Once the reset time keys computed has passed (a late retry), spend keeps its own schedule of that
    // duration (it may have reset and moved on already).
    if (schedule.budget_reset_at && Date.parse(schedule.budget_reset_at) <= now().getTime()) {
      delete schedule.budget_reset_at;
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

  /** One key at a time: a delivery reads the key only after the previous one was sent. */
  const serial = oneAtATimePerKey();
  const runner = createOutboxRunner({
    table: {
      due: (at, limit) => select().where('next_attempt_at', '<=', at).limit(limit).execute(),
      byIds: (ids) => select().where('id', 'in', ids).execute(),
      remove: async (id) => {
        await db.deleteFrom(TABLE).where('id', '=', id).execute();
      },
      postpone: async (id, attempts, error, nextAttemptAt) => {
        await db
          .updateTable(TABLE)
          .set({ attempts, last_error: error, next_attempt_at: nextAttemptAt })
          .where('id', '=', id)
          .execute();
      },
    },
    send: (row) => serial(row.token, () => sendNow(row.token)),
    logger: deps.logger,
    // Retry timing is wall-clock time; `now` (the business clock, fixed in tests) only decides whether a
    // key's reset time has passed.
    now: () => new Date(),
    failureMessage: 'key budget schedule not delivered to the spend service',
  });

  return {
    ...runner,
    async add(tx, tokens) {
      const unique = [...new Set(tokens)];
      if (unique.length === 0) return [];
      const rows = await tx
        .insertInto(TABLE)
        .values(
          unique.map((token) => ({
            token,
            // The after-commit delivery goes first; the pump takes the row only if that did not remove
            // it (the process died in between), so a schedule is not sent twice in the normal case.
            next_attempt_at: new Date(Date.now() + PUMP_GRACE_MS),
            created_at: now(),
          })),
        )
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },
    async owed() {
      return (await select().execute()).map((r) => r.token);
    },
  };
}
