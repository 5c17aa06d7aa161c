/**
 * The spend service in-process for integration tests: its real services, Express app, queue and
 * (optionally) worker, against a database cloned for the test file and a Redis prefix of its own (or a
 * fault test's own redis-server), with a clock the test controls and a log it can read.
 */
import { randomUUID } from 'node:crypto';
import {
  PRINCIPAL_HEADER,
  type Principal,
  QUEUES,
  type Role,
  redisKeys,
  type SpendEvent,
} from '@llmgw/contracts';
import { createDatabase, type Database } from '@llmgw/db';
import { createRedis } from '@llmgw/db/redis';
import { createTestDatabase, newRedisPrefix, type TestDatabase } from '@llmgw/db/testing';
import { createLogger, signPrincipal } from '@llmgw/http';
import { type Job, Queue, type Worker } from 'bullmq';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { createApp } from '../src/app';
import type { SpendDB } from '../src/db';
import { createSpendServices, type SpendServices } from '../src/services';
import { createSpendProcessor, type SpendProcessor } from '../src/worker/spend.processor';
import { createSpendWorker } from '../src/worker/spend.worker';
import { createSpendBatcher } from '../src/worker/spend-batcher';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const INTERNAL_SECRET = 'spend-test-internal-secret-0123456789';

export interface HarnessOptions {
  /** Another Redis (a fault test's own redis-server); default: the shared one. */
  redisUrl?: string;
  /** Another Postgres URL for the same database (e.g. through a TcpFaultProxy). */
  databaseUrl?: (url: string) => string;
  /** The clock of the services; default: real time. */
  now?: Date;
}

export interface PrincipalInit {
  kind?: Principal['kind'];
  userId?: string | null;
  teamId?: string | null;
  keyHash?: string | null;
}

export interface SpendHarness {
  app: Express;
  db: Database<SpendDB>['db'];
  services: SpendServices;
  queue: Queue;
  redis: Redis;
  redisPrefix: string;
  database: TestDatabase;
  /** Headers carrying a principal signed as the gateway signs it. */
  as: (role: Role | 'unknown', init?: PrincipalInit) => Record<string, string>;
  master: () => Record<string, string>;
  setNow: (d: Date) => void;
  /** Starts the worker; `wrap` may replace the processor (fault injection). */
  startWorker: (opts?: { concurrency?: number; wrap?: (p: SpendProcessor) => SpendProcessor }) => Worker;
  enqueue: (events: SpendEvent[], opts?: { jobIdSuffix?: string; attempts?: number }) => Promise<void>;
  /** Resolves when every given job id is completed (or failed, when `failed` is set). */
  waitForJobs: (ids: string[], state?: 'completed' | 'failed', timeoutMs?: number) => Promise<void>;
  logs: () => Array<Record<string, unknown>>;
  close: () => Promise<void>;
}

/** A spend event as the gateway sends it; ids are unique per call of this factory. */
export function spendEvent(over: Partial<SpendEvent> = {}): SpendEvent {
  const callId = `call-${randomUUID()}`;
  return {
    callId,
    requestId: `chatcmpl-${randomUUID().replaceAll('-', '')}`,
    keyHash: 'a'.repeat(64),
    userId: 'user-1',
    teamId: 'team-1',
    model: 'gpt-4o',
    modelGroup: 'gpt-4o',
    apiBase: 'http://127.0.0.1:4010/v1',
    callType: 'acompletion',
    promptTokens: 10,
    completionTokens: 20,
    cost: 0.00005,
    startTime: '2030-01-15T10:00:00.000Z',
    endTime: '2030-01-15T10:00:01.000Z',
    completionStartTime: '2030-01-15T10:00:00.500Z',
    status: 'success',
    endUser: null,
    ...over,
  };
}

export async function startSpend(opts: HarnessOptions = {}): Promise<SpendHarness> {
  const database = await createTestDatabase();
  const redisPrefix = newRedisPrefix();
  const lines: string[] = [];
  const logger = createLogger({
    name: 'spend',
    level: 'info',
    destination: { write: (line: string) => void lines.push(line) },
  });
  const dbUrl = opts.databaseUrl ? opts.databaseUrl(database.url) : database.url;
  const pg = createDatabase<SpendDB>({ connectionString: dbUrl, max: 6, applicationName: 'spend-test' });
  const redisUrl = opts.redisUrl ?? REDIS_URL;
  const redis = createRedis({ url: redisUrl, role: 'command', onError: () => {} });
  const workerRedis = createRedis({ url: redisUrl, role: 'worker', onError: () => {} });
  await Promise.all([redis.connect(), workerRedis.connect()]);
  let clock: Date | null = opts.now ?? null;
  const now = () => (clock ? new Date(clock) : new Date());
  const services = createSpendServices({ db: pg.db, redis, redisPrefix, logger, now });
  const prefix = redisKeys(redisPrefix).bullPrefix;
  const queue = new Queue(QUEUES.spend, { connection: redis, prefix });
  const readiness = { accepting: true };
  const app = createApp({
    services,
    queue,
    pingDb: pg.ping,
    redis,
    internalSecret: INTERNAL_SECRET,
    logger,
    readiness,
  });
  const workers: Worker[] = [];

  const as = (role: Role | 'unknown', init: PrincipalInit = {}) => ({
    [PRINCIPAL_HEADER]: signPrincipal(
      {
        kind: init.kind ?? 'key',
        userId: init.userId === undefined ? `${role}-user` : init.userId,
        role,
        keyHash: init.keyHash ?? null,
        teamId: init.teamId ?? null,
        sessionId: null,
      },
      INTERNAL_SECRET,
    ),
  });

  return {
    app,
    db: pg.db,
    services,
    queue,
    redis,
    redisPrefix,
    database,
    as,
    master: () => as('proxy_admin', { kind: 'master', userId: 'default_user_id' }),
    setNow: (d) => {
      clock = d;
    },
    startWorker: ({ concurrency = 4, wrap } = {}) => {
      const processor = createSpendProcessor({
        record: createSpendBatcher({ events: services.events, logger }).submit,
        resets: services.resets,
        logger,
      });
      const w = createSpendWorker({
        connection: workerRedis,
        prefix,
        concurrency,
        logger,
        outageDelayMs: 300,
        processor: wrap ? wrap(processor) : processor,
      });
      workers.push(w);
      return w;
    },
    enqueue: async (events, { jobIdSuffix = '', attempts = 3 } = {}) => {
      await queue.addBulk(
        events.map((e) => ({
          name: 'spend',
          data: e,
          opts: {
            jobId: `${e.callId}${jobIdSuffix}`,
            attempts,
            backoff: { type: 'exponential', delay: 50 },
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
    },
    waitForJobs: async (ids, state = 'completed', timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(
          ids.map(async (id) => ((await queue.getJob(id)) as Job | undefined)?.getState() ?? 'missing'),
        );
        if (states.every((s) => s === state)) return;
        if (Date.now() > deadline) {
          throw new Error(`jobs not ${state}: ${[...new Set(states)].join(', ')}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      redis.disconnect();
      workerRedis.disconnect();
      await pg.close();
      await database.drop();
    },
  };
}
