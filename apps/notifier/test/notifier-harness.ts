/**
 * The notifier in-process for integration tests: its real worker, queue, transport and Express app
 * against the shared Redis under a prefix of this test file's own, with a log that tests can read.
 */
import { randomUUID } from 'node:crypto';
import { PRINCIPAL_HEADER, type Principal, QUEUES, type Role, redisKeys } from '@llmgw/contracts';
import { createRedis } from '@llmgw/db/redis';
import { newRedisPrefix } from '@llmgw/db/testing';
import { createLogger, signPrincipal } from '@llmgw/http';
import { createEmailProducer, type EmailProducer } from '@llmgw/testing';
import { Queue, type Worker } from 'bullmq';
import type { Express } from 'express';
import { createApp } from '../src/app';
import { createNotifierMetrics, type NotifierMetrics, QUEUE_STATES } from '../src/metrics';
import type { MailTransport } from '../src/transport/mail-transport';
import { createOutboxTransport } from '../src/transport/outbox-transport';
import { createSmtpTransport } from '../src/transport/smtp-transport';
import { createEmailProcessor } from '../src/worker/email.processor';
import { createEmailWorker } from '../src/worker/email.worker';
import type { RetryPolicy } from '../src/worker/retry-policy';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const INTERNAL_SECRET = 'notifier-test-internal-secret-0123456789';
export const FROM = 'LLM Gateway <no-reply@gw.example.com>';

export interface HarnessOptions {
  /** SMTP URL; without it the outbox transport writes to `outboxDir`. */
  smtpUrl?: string;
  outboxDir?: string;
  retry?: Partial<RetryPolicy>;
  smtpTimeoutMs?: number;
  /** Another Redis (a fault test's own redis-server); default: the shared one. */
  redisUrl?: string;
}

export interface NotifierHarness {
  app: Express;
  producer: EmailProducer;
  queue: Queue;
  worker: Worker;
  metrics: NotifierMetrics;
  readiness: { accepting: boolean };
  redisPrefix: string;
  /** Headers carrying a principal signed as the gateway would sign it. */
  as: (role: Role | 'unknown', kind?: Principal['kind']) => Record<string, string>;
  logs: () => Array<Record<string, unknown>>;
  close: () => Promise<void>;
}

export async function startNotifier(opts: HarnessOptions = {}): Promise<NotifierHarness> {
  const redisPrefix = newRedisPrefix();
  const lines: string[] = [];
  const logger = createLogger({
    name: 'notifier',
    level: 'info',
    destination: { write: (line: string) => void lines.push(line) },
  });
  const redisUrl = opts.redisUrl ?? REDIS_URL;
  const redis = createRedis({ url: redisUrl, role: 'command', onError: () => {} });
  const workerRedis = createRedis({ url: redisUrl, role: 'worker', onError: () => {} });
  await Promise.all([redis.connect(), workerRedis.connect()]);
  const prefix = redisKeys(redisPrefix).bullPrefix;
  const queue = new Queue(QUEUES.email, { connection: redis, prefix });
  const metrics = createNotifierMetrics({ queueCounts: () => queue.getJobCounts(...QUEUE_STATES) });
  const transport: MailTransport = opts.smtpUrl
    ? createSmtpTransport({ url: opts.smtpUrl, from: FROM, timeoutMs: opts.smtpTimeoutMs ?? 5000 })
    : createOutboxTransport({ dir: opts.outboxDir ?? '.mail-outbox', from: FROM, logger });
  const worker = createEmailWorker({
    connection: workerRedis,
    prefix,
    concurrency: 2,
    logger,
    processor: createEmailProcessor({
      transport,
      logger,
      metrics,
      retry: { attempts: 5, backoffMs: 100, maxBackoffMs: 1000, ...opts.retry },
    }),
  });
  const readiness = { accepting: true };
  const app = createApp({ redis, queue, metrics, internalSecret: INTERNAL_SECRET, logger, readiness });
  const producer = await createEmailProducer(redisUrl, redisPrefix);
  return {
    app,
    producer,
    queue,
    worker,
    metrics,
    readiness,
    redisPrefix,
    as: (role, kind = 'key') => ({
      [PRINCIPAL_HEADER]: signPrincipal(
        {
          kind,
          userId: kind === 'master' ? 'default_user_id' : `user-${randomUUID()}`,
          role,
          keyHash: null,
          teamId: null,
          sessionId: null,
        },
        INTERNAL_SECRET,
      ),
    }),
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    close: async () => {
      await worker.close();
      await producer.queue.obliterate({ force: true }).catch(() => {});
      await producer.close().catch(() => {});
      await queue.close();
      await transport.close();
      redis.disconnect();
      workerRedis.disconnect();
    },
  };
}
