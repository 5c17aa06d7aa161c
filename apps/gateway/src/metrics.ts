import type { Redis } from 'ioredis';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The gateway's Prometheus metrics, one registry per app instance (no module-level singletons). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    llmRequests: new Counter({
      name: 'llmgw_llm_requests_total',
      help: 'OpenAI-compatible requests by route kind and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    llmDuration: new Histogram({
      name: 'llmgw_llm_request_duration_seconds',
      help: 'Time from request to the end of the response',
      labelNames: ['route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    redisCommands: new Counter({
      name: 'llmgw_redis_commands_total',
      help: 'Commands the gateway sent to Redis (a Lua script call counts once)',
      labelNames: ['connection'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** Counts every command sent on a connection, so round trips per request can be measured. */
export function countCommands(redis: Redis, metrics: Metrics, connection: string): void {
  const counter = metrics.redisCommands.labels(connection);
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    counter.inc();
    return send(...args);
  }) as Redis['sendCommand'];
}
