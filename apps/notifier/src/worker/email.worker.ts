import { EMAIL_JOB_OPTIONS, QUEUES } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { EmailJobResult, EmailProcessor } from './email.processor';

export interface EmailWorkerOptions {
  /** Its own connection with `maxRetriesPerRequest: null` (createRedis role `worker`). */
  connection: Redis;
  /** `redisKeys(REDIS_PREFIX).bullPrefix`, the same as the producers'. */
  prefix: string;
  processor: EmailProcessor;
  concurrency: number;
  logger: Logger;
}

/**
 * The BullMQ worker of the `email` queue. Keep-job limits fall back to EMAIL_JOB_OPTIONS when a
 * producer sent none, so completed ids keep deduplicating and failed jobs stay listable either way.
 * `close()` stops taking jobs and waits for the ones being sent.
 */
export function createEmailWorker(opts: EmailWorkerOptions): Worker<unknown, EmailJobResult> {
  const worker = new Worker<unknown, EmailJobResult>(QUEUES.email, opts.processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    removeOnComplete: { ...EMAIL_JOB_OPTIONS.removeOnComplete },
    removeOnFail: { ...EMAIL_JOB_OPTIONS.removeOnFail },
  });
  // Without an 'error' listener an EventEmitter error would crash the process; ioredis reconnects.
  worker.on('error', (err) => opts.logger.warn({ err: err.message }, 'email worker error'));
  worker.on('stalled', (jobId) =>
    opts.logger.warn({ jobId }, 'email job stalled (a worker died mid-job); it will run again'),
  );
  return worker;
}
