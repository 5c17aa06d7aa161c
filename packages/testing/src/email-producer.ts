/**
 * Enqueues `email` jobs exactly as a producer (identity) does: the contracts' queue name, Redis prefix
 * and EMAIL_JOB_OPTIONS, job id = invitation id. Used by apps/notifier/test and e2e/test/notifier-*.
 */
import { EMAIL_JOB_OPTIONS, type EmailJob, QUEUES, redisKeys } from '@llmgw/contracts';
import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';

export interface EmailProducer {
  queue: Queue;
  /** `data` is unknown on purpose: tests also enqueue payloads the schema rejects. */
  enqueue: (jobId: string, data: EmailJob | Record<string, unknown>) => Promise<Job>;
  state: (jobId: string) => Promise<string>;
  waitForState: (jobId: string, state: string, timeoutMs?: number) => Promise<Job>;
  close: () => Promise<void>;
}

export async function createEmailProducer(redisUrl: string, redisPrefix: string): Promise<EmailProducer> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await connection.connect();
  const queue = new Queue(QUEUES.email, {
    connection,
    prefix: redisKeys(redisPrefix).bullPrefix,
    defaultJobOptions: EMAIL_JOB_OPTIONS,
  });
  const state = async (jobId: string) => (await queue.getJobState(jobId)) as string;
  return {
    queue,
    enqueue: (jobId, data) => {
      const name = typeof data.template === 'string' ? data.template : 'unknown';
      return queue.add(name, data, { jobId });
    },
    state,
    waitForState: async (jobId, wanted, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await state(jobId);
        if (now === wanted) {
          const job = await queue.getJob(jobId);
          if (job) return job;
        }
        if (Date.now() > deadline)
          throw new Error(`job ${jobId} is ${now}, not ${wanted}, after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: async () => {
      await queue.close();
      connection.disconnect();
    },
  };
}

/** An invitation payload as identity sends it. */
export function invitationJob(
  overrides: Partial<Extract<EmailJob, { template: 'invitation' }>> = {},
): EmailJob {
  return {
    template: 'invitation',
    to: 'new.user@example.com',
    link: 'https://gw.example.com/ui/onboarding?id=0b7c9a52-8f1e-4c7e-9a47-1f0f4f0c2d11',
    invitedBy: 'admin@example.com',
    orgName: 'Acme',
    expiresAt: '2030-01-08T12:00:00.000Z',
    ...overrides,
  };
}
