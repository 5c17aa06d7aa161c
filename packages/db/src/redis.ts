import { Redis } from 'ioredis';

export interface RedisOptions {
  url: string;
  /** Logs connection errors; ioredis reconnects by itself. */
  onError: (message: string) => void;
  /**
   * `command`: fail fast when Redis is down (no offline queue), for request paths.
   * `subscriber`: pub/sub; `worker`: BullMQ workers, which require `maxRetriesPerRequest: null`.
   */
  role: 'command' | 'subscriber' | 'worker';
}

/** The only place Redis connections are created, so every app treats an outage the same way. */
export function createRedis({ url, onError, role }: RedisOptions): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    // Auto-pipelining sends the commands of concurrent requests issued in the same tick as one write: on
    // the gateway's hot path a socket write is a large part of the cost of a Redis call.
    ...(role === 'command'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, enableAutoPipelining: true }
      : {}),
    ...(role === 'worker' ? { maxRetriesPerRequest: null } : {}),
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  redis.on('error', (err: Error) => onError(err.message));
  return redis;
}

export type { Redis };
