import { QUEUES } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import { DelayedError, type Job, type Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { isDatabaseOutage } from './db-errors';
import { BUDGET_RESET_JOB, type SpendJobResult, type SpendProcessor } from './spend.processor';

export interface SpendWorkerOptions {
  /** Its own connection with `maxRetriesPerRequest: null` (createRedis role `worker`). */
  connection: Redis;
  /** `redisKeys(REDIS_PREFIX).bullPrefix`, the same as the gateway's. */
  prefix: string;
  processor: SpendProcessor;
  concurrency: number;
  logger: Logger;
  /** How long a job's lock lasts without renewal: a killed worker's jobs run again after it. */
  lockDurationMs?: number;
  /** How often locks are checked for stalled jobs. */
  stalledIntervalMs?: number;
  /** While Postgres is unreachable, a job waits this long and runs again without using an attempt. */
  outageDelayMs?: number;
}

/**
 * The BullMQ worker of the `spend` queue. Jobs are idempotent (the call id is recorded once), so a job
 * whose worker died runs again (`maxStalledCount` high); ordinary failures retry with the producer's
 * backoff; invalid payloads fail at once with the reason; Postgres outages delay jobs without using
 * their attempts. `close()` stops taking jobs and waits for the running ones.
 */
export function createSpendWorker(opts: SpendWorkerOptions): Worker<unknown, SpendJobResult> {
  const outageDelayMs = opts.outageDelayMs ?? 5000;
  let outageLogged = 0;
  const run = async (job: Job, token?: string): Promise<SpendJobResult> => {
    try {
      return await opts.processor(job);
    } catch (err) {
      if (!isDatabaseOutage(err) || !token) throw err;
      if (Date.now() - outageLogged > 10_000) {
        outageLogged = Date.now();
        opts.logger.warn(
          { jobId: job.id, err: (err as Error).message },
          'postgres unreachable; spend jobs wait',
        );
      }
      await job.moveToDelayed(Date.now() + outageDelayMs, token);
      throw new DelayedError();
    }
  };
  const worker = new Worker<unknown, SpendJobResult>(QUEUES.spend, run, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockDuration: opts.lockDurationMs ?? 30_000,
    ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
    maxStalledCount: 10,
    // Defaults for producers that set none (the gateway sets its own).
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
  });
  // Without an 'error' listener an EventEmitter error would crash the process; ioredis reconnects.
  worker.on('error', (err) => opts.logger.warn({ err: err.message }, 'spend worker error'));
  worker.on('stalled', (jobId) =>
    opts.logger.warn({ jobId }, 'spend job stalled (a worker died mid-job); it will run again'),
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    opts.logger[final ? 'error' : 'warn'](
      { jobId: job.id, attempt: job.attemptsMade, err: err.message },
      final ? 'spend job failed for good' : 'spend job failed; it will be retried',
    );
  });
  return worker;
}

/**
 * The repeatable budget-reset job: one job scheduler with a fixed id, so however many replicas call
 * this at start, one job runs per period.
 */
export async function scheduleBudgetResets(queue: Queue, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    BUDGET_RESET_JOB,
    { every: everyMs },
    // Keep-job options trim the whole completed/failed set of the queue, not only these jobs: a
    // finished reset removes only itself, a failed one is kept with the same bound as failed events.
    { name: BUDGET_RESET_JOB, data: {}, opts: { removeOnComplete: true, removeOnFail: 10_000 } },
  );
}

/**
 * Keeps the budget-reset scheduler in Redis: at start, whenever the connection is (re)established (a
 * Redis restart without persistence loses it), and every `refreshMs` as a safety net. Upserting an
 * existing scheduler changes nothing. Returns a stop function.
 */
export function keepBudgetResetsScheduled(opts: {
  queue: Queue;
  redis: Redis;
  everyMs: number;
  logger: Logger;
  refreshMs?: number;
}): () => void {
  const upsert = () =>
    scheduleBudgetResets(opts.queue, opts.everyMs).catch((err: Error) =>
      opts.logger.warn({ err: err.message }, 'budget-reset scheduler not written yet; will retry'),
    );
  void upsert();
  const onReady = () => void upsert();
  opts.redis.on('ready', onReady);
  const timer = setInterval(upsert, opts.refreshMs ?? 5 * 60_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    opts.redis.off('ready', onReady);
  };
}
