import { createServer } from 'node:http';
import { parseEnv } from '@llmgw/config';
import { createRedis } from '@llmgw/db/redis';
import { createLogger, exitOnStartupError, serve } from '@llmgw/http';
import { createApp } from './app';
import { notifierEnvSchema } from './env';

async function main() {
  const env = parseEnv(notifierEnvSchema);
  const logger = createLogger({ name: 'notifier', level: env.LOG_LEVEL });
  const redis = createRedis({
    url: env.REDIS_URL,
    role: 'command',
    onError: (err) => logger.warn({ err }, 'redis error'),
  });
  await redis.connect();
  const readiness = { accepting: true };
  await serve({
    server: createServer(createApp({ redis, logger, readiness })),
    port: env.NOTIFIER_PORT,
    host: env.HOST,
    logger,
    readiness,
    close: async () => {
      redis.disconnect();
    },
  });
}

main().catch((err) => exitOnStartupError('notifier', err));
