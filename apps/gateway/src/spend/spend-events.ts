import { QUEUES, SPEND_BATCH_JOB_NAME, type SpendEvent } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface SpendSink {
  record: (event: SpendEvent) => void;
  close: () => Promise<void>;
}

/**
 * Spend events go to the BullMQ `spend` queue in batches: one job per `flushMs` or `maxBatch` events
 * (id = its first call id, so a re-sent batch is one job; the worker records each event once by call
 * id), never on the request's critical path. One job per batch instead of per call keeps Redis work
 * per request tiny: a BullMQ add is a script of some twenty commands.
 * What a gateway crash can lose: the events of at most the last `flushMs` (the spend of calls that
 * already finished); budgets in Redis were settled already, so limits still hold — see README.
 */
export function createSpendQueue(opts: {
  connection: Redis;
  prefix: string;
  logger: Logger;
  flushMs?: number;
  maxBatch?: number;
}): SpendSink {
  const queue = new Queue(QUEUES.spend, {
    connection: opts.connection,
    prefix: opts.prefix,
    defaultJobOptions: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: 1000,
      removeOnFail: 10_000,
    },
  });
  let batch: SpendEvent[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inflight: Promise<void> = Promise.resolve();

  const flush = () => {
    timer = null;
    if (batch.length === 0) return inflight;
    const events = batch;
    batch = [];
    inflight = inflight
      .then(() => queue.add(SPEND_BATCH_JOB_NAME, { events }, { jobId: (events[0] as SpendEvent).callId }))
      .then(
        () => {},
        (err: Error) => {
          // Redis is unreachable: keep the events and try again with the next batch.
          opts.logger.warn({ err: err.message, events: events.length }, 'spend events not queued yet');
          batch = events.concat(batch);
          if (!timer) timer = setTimeout(flush, 1000);
        },
      );
    return inflight;
  };

  return {
    record: (event) => {
      batch.push(event);
      if (batch.length >= (opts.maxBatch ?? 200)) void flush();
      else if (!timer) timer = setTimeout(flush, opts.flushMs ?? 100);
    },
    close: async () => {
      if (timer) clearTimeout(timer);
      await flush();
      await queue.close();
    },
  };
}
