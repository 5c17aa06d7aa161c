import { EMAIL_JOB_OPTIONS, type EmailJob, emailJobSchema, QUEUES } from '@llmgw/contracts';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Producer side of the `email` queue (the notifier consumes it). */
export interface EmailQueue {
  /** Validates the payload and adds it under `jobId` (idempotent: the same id is never queued twice). */
  enqueue: (job: EmailJob, jobId: string) => Promise<void>;
  close: () => Promise<void>;
}

/** How long an enqueue may wait for Redis before the caller is told the email could not be queued. */
const ENQUEUE_TIMEOUT_MS = 3000;

/**
 * BullMQ producer on a command connection (no offline queue), so that an enqueue fails fast when Redis is
 * down instead of hanging the request. Job options are the ones every email producer shares.
 */
export function createEmailQueue(opts: { connection: Redis; prefix: string }): EmailQueue {
  const queue = new Queue(QUEUES.email, {
    connection: opts.connection,
    prefix: opts.prefix,
    defaultJobOptions: EMAIL_JOB_OPTIONS,
  });
  // Connection errors surface on the add() that needs Redis; the queue's own event needs a listener.
  queue.on('error', () => {});
  return {
    async enqueue(job, jobId) {
      const payload = emailJobSchema.parse(job);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          queue.add(payload.template, payload, { jobId }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out waiting for Redis')), ENQUEUE_TIMEOUT_MS);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => queue.close(),
  };
}
