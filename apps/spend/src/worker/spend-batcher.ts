import type { SpendEvent } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import type { RecordOutcome, SpendEventsService } from '../spend-events/spend-events.service';
import { isDatabaseOutage } from './db-errors';

interface Pending {
  event: SpendEvent;
  resolve: (outcome: RecordOutcome) => void;
  reject: (err: unknown) => void;
}

export interface SpendBatcherDeps {
  events: Pick<SpendEventsService, 'record' | 'recordMany'>;
  logger: Logger;
  /** Most events per transaction (the worker's concurrency bounds it anyway). */
  maxBatch?: number;
}

/**
 * Group commit for the worker's concurrent jobs: the first event is written at once; events that arrive
 * while a transaction runs wait for it and are then written together in one transaction. Every job's
 * promise settles only after its own transaction committed, so a job is acknowledged only once its
 * event is durable (exactly-once holds as for single events). When a batch fails for any reason other
 * than Postgres being unreachable, its events are written one by one, so one broken event cannot fail
 * the others.
 */
export function createSpendBatcher({ events, logger, maxBatch = 100 }: SpendBatcherDeps) {
  const waiting: Pending[] = [];
  let running = false;

  const settleOneByOne = async (batch: Pending[]) => {
    for (const p of batch) {
      try {
        p.resolve(await events.record(p.event));
      } catch (err) {
        p.reject(err);
      }
    }
  };

  const flush = async (): Promise<void> => {
    if (running || waiting.length === 0) return;
    running = true;
    const batch = waiting.splice(0, maxBatch);
    try {
      if (batch.length === 1) {
        const [only] = batch as [Pending];
        only.resolve(await events.record(only.event));
      } else {
        const outcomes = await events.recordMany(batch.map((p) => p.event));
        batch.forEach((p, i) => {
          p.resolve(outcomes[i] ?? 'duplicate');
        });
      }
    } catch (err) {
      if (batch.length === 1 || isDatabaseOutage(err)) {
        for (const p of batch) p.reject(err);
      } else {
        logger.warn(
          { err: (err as Error).message, events: batch.length },
          'spend batch failed; writing one by one',
        );
        await settleOneByOne(batch);
      }
    } finally {
      running = false;
      if (waiting.length > 0) void flush();
    }
  };

  return {
    submit(event: SpendEvent): Promise<RecordOutcome> {
      return new Promise<RecordOutcome>((resolve, reject) => {
        waiting.push({ event, resolve, reject });
        void flush();
      });
    },
  };
}

export type SpendBatcher = ReturnType<typeof createSpendBatcher>;
