import { createServer } from 'node:http';
import { parseEnv } from '@llmgw/config';
import { createLogger, exitOnStartupError, serve } from '@llmgw/http';
import { createApp } from './app';
import { configFromEnv, mockEnvSchema } from './env';

async function main(): Promise<void> {
  try {
    const env = parseEnv(mockEnvSchema);
    const logger = createLogger({ name: 'mock-llm', level: env.LOG_LEVEL });
    const config = configFromEnv(env);
    const readiness = { accepting: true };
    const server = createServer(createApp(config, { readiness, logger }));
    // Longer than the idle timeout of the gateway's upstream pool, so the mock never closes a kept-alive
    // connection just as the gateway reuses it (which would surface as a spurious upstream reset).
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    await serve({
      server,
      port: env.MOCK_LLM_PORT,
      host: env.HOST,
      logger,
      readiness,
      close: async () => {},
    });
    logger.info(
      { models: config.models, auth: config.apiKey !== undefined, defaults: config.defaults },
      'mock-llm ready',
    );
  } catch (err) {
    exitOnStartupError('mock-llm', err);
  }
}

void main();
