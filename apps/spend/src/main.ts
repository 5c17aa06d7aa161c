import { createServer } from 'node:http';
import { parseEnv, resolveInternalSecret } from '@llmgw/config';
import { QUEUES, redisKeys } from '@llmgw/contracts';
import { createDatabase } from '@llmgw/db';
import { createRedis } from '@llmgw/db/redis';
import { createLogger, exitOnStartupError, serve } from '@llmgw/http';
import { Queue, type Worker } from 'bullmq';
import { createApp } from './app';
import type { SpendDB } from './db';
import { spendEnvSchema } from './env';
import { createSpendServices } from './services';
import { createSpendProcessor } from './worker/spend.processor';
import { createSpendWorker, keepBudgetResetsScheduled } from './worker/spend.worker';
import { createSpendBatcher } from './worker/spend-batcher';

async function main() {
  const env = parseEnv(spendEnvSchema);
  const internalSecret = resolveInternalSecret(env);
  const logger = createLogger({ name: 'spend', level: env.LOG_LEVEL });
  const database = createDatabase<SpendDB>({
    connectionString: env.DATABASE_URL,
    max: env.DATABASE_POOL_MAX,
    applicationName: 'llmgw-spend',
  });
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

  const now = () => new Date();
  const services = createSpendServices({
    db: database.db,
    redis,
    redisPrefix: env.REDIS_PREFIX,
    logger,
    now,
  });
  const prefix = redisKeys(env.REDIS_PREFIX).bullPrefix;
  const queue = new Queue(QUEUES.spend, { connection: redis, prefix });

  let worker: Worker | null = null;
  let stopScheduling = () => {};
  if (env.SPEND_WORKER) {
    stopScheduling = keepBudgetResetsScheduled({
      queue,
      redis,
      everyMs: env.BUDGET_RESET_INTERVAL_MS,
      logger,
    });
    worker = createSpendWorker({
      connection: workerRedis,
      prefix,
      concurrency: env.SPEND_CONCURRENCY,
      logger,
      lockDurationMs: env.SPEND_LOCK_DURATION_MS,
      stalledIntervalMs: Math.max(500, Math.floor(env.SPEND_LOCK_DURATION_MS / 2)),
      outageDelayMs: env.SPEND_OUTAGE_DELAY_MS,
      processor: createSpendProcessor({
        record: createSpendBatcher({ events: services.events, logger }).submit,
        resets: services.resets,
        logger,
      }),
    });
    // Stop taking new jobs as soon as the signal arrives; `close` below waits for the running ones.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void worker?.close());
  }

  const readiness = { accepting: true };
  await serve({
    server: createServer(
      createApp({ services, queue, pingDb: database.ping, redis, internalSecret, logger, readiness }),
    ),
    port: env.SPEND_PORT,
    host: env.HOST,
    logger,
    readiness,
    close: async () => {
      stopScheduling();
      await worker?.close();
      await queue.close();
      await database.close();
      redis.disconnect();
      workerRedis.disconnect();
    },
  });
}

main().catch((err) => exitOnStartupError('spend', err));
