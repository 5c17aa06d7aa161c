import type { BudgetSchedule } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import { type SpendClient, SpendUnavailableError } from './spend-client';

/**
 * Tells the spend service when a key's spend resets, after the change is committed here. The first try
 * happens before the route answers (so a reset schedule is in force when the client sees the key); a
 * failed one is retried in the background with exponential backoff, and a newer schedule of the same key
 * replaces one still waiting. Schedules of one key are sent one at a time, in the order they were made.
 *
 * Not durable: a schedule still waiting when this process stops is lost (it is logged at every failure;
 * the next /key/update with `budget_duration` sends it again). Identity, which has a transactional
 * outbox, does not have this gap.
 */
export interface BudgetScheduler {
  /** After commit: sends each schedule now; failures are retried in the background. */
  sync: (schedules: BudgetSchedule[]) => Promise<void>;
  /** Schedules waiting for a retry. */
  owed: () => BudgetSchedule[];
  /** Cancels every retry (shutdown). */
  stop: () => void;
}

export interface BudgetSchedulerDeps {
  spend: SpendClient;
  logger: Logger;
  now: () => Date;
  /** First retry delay, doubled per attempt up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Tries in all before a schedule is given up (logged as an error). */
  maxAttempts?: number;
}

/** 4xx other than 408/429: spend refused this schedule itself, so sending it again cannot help. */
const isPermanent = (err: unknown) =>
  err instanceof SpendUnavailableError &&
  err.status !== null &&
  err.status >= 400 &&
  err.status < 500 &&
  err.status !== 408 &&
  err.status !== 429;

export function createBudgetScheduler({
  spend,
  logger,
  now,
  baseDelayMs = 1000,
  maxDelayMs = 60_000,
  maxAttempts = 20,
}: BudgetSchedulerDeps): BudgetScheduler {
  const chains = new Map<string, Promise<void>>();
  const waiting = new Map<string, { schedule: BudgetSchedule; timer: NodeJS.Timeout }>();
  let stopped = false;

  /**
   * A reset time that has passed by the time of a retry is left out: spend then keeps the schedule it has
   * for the same duration (it may already have reset and moved on) or computes the next one.
   */
  const toSend = (s: BudgetSchedule): BudgetSchedule => {
    if (!s.budget_reset_at || Date.parse(s.budget_reset_at) > now().getTime()) return s;
    const { budget_reset_at: _passed, ...rest } = s;
    return rest;
  };

  const attempt = async (id: string, schedule: BudgetSchedule, tries: number): Promise<void> => {
    try {
      await spend.schedule(toSend(schedule));
      return;
    } catch (err) {
      // The key hash is not secret (the wire shows it as `token`); the raw key never reaches this code.
      const log = {
        kind: schedule.kind,
        id: schedule.id,
        budget_duration: schedule.budget_duration,
        tries: tries + 1,
      };
      const reason = (err as Error).message;
      if (isPermanent(err)) {
        logger.error({ ...log, err: reason }, 'spend refused a key budget schedule; not retried');
        return;
      }
      if (tries + 1 >= maxAttempts || stopped) {
        logger.error({ ...log, err: reason }, 'key budget schedule not delivered to spend; giving up');
        return;
      }
      logger.warn({ ...log, err: reason }, 'key budget schedule not delivered to spend; will retry');
      const delay = Math.min(baseDelayMs * 2 ** tries, maxDelayMs);
      const entry = {
        schedule,
        timer: setTimeout(() => {
          if (waiting.get(id) !== entry) return;
          waiting.delete(id);
          void run(id, schedule, tries + 1);
        }, delay),
      };
      entry.timer.unref();
      waiting.set(id, entry);
    }
  };

  /** One key's schedules go out one after the other, so an older one can never land last. */
  const run = (id: string, schedule: BudgetSchedule, tries: number): Promise<void> => {
    const next = (chains.get(id) ?? Promise.resolve()).then(() => attempt(id, schedule, tries));
    chains.set(id, next);
    void next.finally(() => {
      if (chains.get(id) === next) chains.delete(id);
    });
    return next;
  };

  return {
    async sync(schedules) {
      await Promise.all(
        schedules.map((schedule) => {
          const id = `${schedule.kind}:${schedule.id}`;
          const superseded = waiting.get(id);
          if (superseded) {
            clearTimeout(superseded.timer);
            waiting.delete(id);
          }
          return run(id, schedule, 0);
        }),
      );
    },
    owed: () => [...waiting.values()].map((w) => w.schedule),
    stop() {
      stopped = true;
      for (const w of waiting.values()) clearTimeout(w.timer);
      waiting.clear();
    },
  };
}
