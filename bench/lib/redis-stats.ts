import { Redis } from 'ioredis';

export interface RedisStats {
  calls: number;
  cpuUs: number;
}

/** Total commands processed and CPU used by the Redis server so far (INFO commandstats / cpu). */
export async function redisStats(url: string): Promise<RedisStats> {
  const redis = new Redis(url);
  try {
    const stats = await redis.info('commandstats');
    const cpu = await redis.info('cpu');
    let calls = 0;
    for (const m of stats.matchAll(/calls=(\d+)/g)) calls += Number(m[1]);
    const num = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(cpu)?.[1] ?? 0);
    return { calls, cpuUs: (num('used_cpu_sys') + num('used_cpu_user')) * 1e6 };
  } finally {
    redis.disconnect();
  }
}
