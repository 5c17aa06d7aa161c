import { createServer } from 'node:http';
import { parseEnv, resolveInternalSecret } from '@llmgw/config';
import { QUEUES, redisKeys } from '@llmgw/contracts';
import { createRedis } from '@llmgw/db/redis';
import { createLogger, exitOnStartupError, type Logger, serve } from '@llmgw/http';
import { Queue, type Worker } from 'bullmq';
import { createApp } from './app';
import { notifierEnvSchema } from './env';
import { createNotifierMetrics, QUEUE_STATES } from './metrics';
import { createOutboxTransport } from './transport/outbox-transport';
import { createSmtpTransport } from './transport/smtp-transport';
import { createEmailProcessor } from './worker/email.processor';
import { createEmailWorker } from './worker/email.worker';

async function main() {
  const env = parseEnv(notifierEnvSchema);
  const internalSecret = resolveInternalSecret(env);
  const logger = createLogger({ name: 'notifier', level: env.LOG_LEVEL });
  const redis = createRedis({
    url: env.REDIS_URL,
    role: 'command',
    onError: (err) => logger.warn({ err }, 'redis error'),
  });
  const workerRedis = createRedis({
    url: env.REDIS_URL,
    role: 'worker',
    onError: (err) => logger.warn({ err }, 'redis error (worker)'),
  });
  await Promise.all([redis.connect(), workerRedis.connect()]);

  const prefix = redisKeys(env.REDIS_PREFIX).bullPrefix;
  const queue = new Queue(QUEUES.email, { connection: redis, prefix });
  queue.on('error', (err) => logger.warn({ err: err.message }, 'email queue error'));
  const metrics = createNotifierMetrics({
    processMetrics: true,
    queueCounts: () => queue.getJobCounts(...QUEUE_STATES),
  });
  const transport = env.SMTP_URL
    ? createSmtpTransport({ url: env.SMTP_URL, from: env.EMAIL_FROM, timeoutMs: env.SMTP_TIMEOUT_MS })
    : createOutboxTransport({ dir: env.MAIL_OUTBOX_DIR, from: env.EMAIL_FROM, logger });
  logger.info(
    env.SMTP_URL
      ? { transport: 'smtp', smtp: redactUrl(env.SMTP_URL) }
      : { transport: 'outbox', dir: env.MAIL_OUTBOX_DIR },
    'email transport',
  );
  const worker = createEmailWorker({
    connection: workerRedis,
    prefix,
    concurrency: env.EMAIL_CONCURRENCY,
    logger,
    processor: createEmailProcessor({
      transport,
      logger,
      metrics,
      retry: {
        attempts: env.EMAIL_ATTEMPTS,
        backoffMs: env.EMAIL_BACKOFF_MS,
        maxBackoffMs: env.EMAIL_BACKOFF_MAX_MS,
      },
    }),
  });
  // Stop taking new jobs as soon as the signal arrives; `close` below waits for the ones being sent.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void worker.close());

  const readiness = { accepting: true };
  await serve({
    server: createServer(createApp({ redis, queue, metrics, internalSecret, logger, readiness })),
    port: env.NOTIFIER_PORT,
    host: env.HOST,
    logger,
    readiness,
    close: async () => {
      await closeWorker(worker, env.SMTP_TIMEOUT_MS * 2 + 5000, logger);
      await queue.close();
      await transport.close();
      redis.disconnect();
      workerRedis.disconnect();
    },
  });
}

/**
 * Waits for the emails being sent (bounded by the SMTP timeouts). Past the grace period the process exits
 * anyway: the job's lock expires and BullMQ's stalled check hands it to the next notifier, so the email
 * is still sent (at least once), just not by this process.
 */
async function closeWorker(worker: Worker, graceMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const outcome = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.warn({ graceMs }, 'emails still in flight after the grace period; exiting without them');
  }
}

/** The SMTP URL may carry a password. */
function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = 'redacted';
  return u.toString();
}

main().catch((err) => exitOnStartupError('notifier', err));
