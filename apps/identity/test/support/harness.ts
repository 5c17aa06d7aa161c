import {
  CSRF_COOKIE,
  PROXY_ADMIN_ID,
  type Principal,
  QUEUES,
  redisKeys,
  SESSION_COOKIE,
} from '@llmgw/contracts';
import { createDatabase } from '@llmgw/db';
import { createRedis, type Redis } from '@llmgw/db/redis';
import { createTestDatabase, newRedisPrefix, type TestDatabase } from '@llmgw/db/testing';
import { createLogger, PRINCIPAL_MAX_AGE_MS, signPrincipal } from '@llmgw/http';
import { FakeSpend } from '@llmgw/testing';
import { Queue } from 'bullmq';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import type { IdentityConfig } from '../../src/context';
import type { IdentityDB } from '../../src/db';
import { createEmailQueue, type EmailQueue } from '../../src/email/email-queue';
import { createKeysClient } from '../../src/keys-client/keys-client';
import { createPasswordHasher } from '../../src/lib/passwords';
import { type AuthOutbox, createAuthOutbox } from '../../src/outbox/auth-outbox';
import {
  type BudgetScheduleOutbox,
  createBudgetScheduleOutbox,
} from '../../src/outbox/budget-schedule-outbox';
import { createSpendClient } from '../../src/spend/spend-client';
import { FakeKeysServer } from './fake-keys';

export const SECRET = 'identity-test-internal-secret-0123456789';
export const UI_PASSWORD = 'sk-test-master-key-0123';
export const BASE_URL = 'http://gw.example.test';

/**
 * The service's clock, which tests can freeze at any instant (principals are still verified against the
 * real time, so only the domain logic sees the moved clock).
 */
export class TestClock {
  private frozen: number | null = null;
  now = () => new Date(this.frozen ?? Date.now());
  set(at: number) {
    this.frozen = at;
  }
  release() {
    this.frozen = null;
  }
}

export const principals = {
  master: (): Principal => ({
    kind: 'master',
    userId: PROXY_ADMIN_ID,
    role: 'proxy_admin',
    keyHash: null,
    teamId: null,
    sessionId: null,
  }),
  user: (userId: string, role: Principal['role'], teamId: string | null = null): Principal => ({
    kind: 'key',
    userId,
    role,
    keyHash: 'a'.repeat(64),
    teamId,
    sessionId: null,
  }),
};

export interface Harness {
  app: Express;
  db: ReturnType<typeof createDatabase<IdentityDB>>['db'];
  redis: Redis;
  prefix: string;
  keys: FakeKeysServer;
  /** The fake spend service: totals the test sets, budget schedules identity sent. */
  spend: FakeSpend;
  clock: TestClock;
  outbox: AuthOutbox;
  budgetSchedules: BudgetScheduleOutbox;
  emailQueue: Queue;
  database: TestDatabase;
  config: IdentityConfig;
  /** A supertest call signed as this principal. */
  as: (principal: Principal) => {
    get: (path: string) => request.Test;
    post: (path: string, body?: object) => request.Test;
  };
  anonymous: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

export interface HarnessOptions {
  /** Use this Redis (e.g. one the test stops) instead of the shared one. */
  redisUrl?: string;
  config?: Partial<IdentityConfig>;
  emailQueue?: EmailQueue;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const { db, ping, close } = createDatabase<IdentityDB>({
    connectionString: database.url,
    applicationName: 'identity-test',
    max: 4,
  });
  const prefix = newRedisPrefix();
  const redisUrl = opts.redisUrl ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = createRedis({ url: redisUrl, role: 'command', onError: () => {} });
  const queueConnection = createRedis({ url: redisUrl, role: 'command', onError: () => {} });
  await Promise.all([redis.connect(), queueConnection.connect()]);
  const keys = await new FakeKeysServer(SECRET).start();
  const clock = new TestClock();
  const spend = await new FakeSpend(SECRET, clock.now).start();
  const logger = createLogger({ name: 'identity-test', level: 'silent' });
  const keysClient = createKeysClient({ baseUrl: keys.url, internalSecret: SECRET, timeoutMs: 2000 });
  const outbox = createAuthOutbox({ db, keys: keysClient, logger, now: clock.now });
  const spendClient = createSpendClient({ baseUrl: spend.url, internalSecret: SECRET, timeoutMs: 2000 });
  const budgetSchedules = createBudgetScheduleOutbox({ db, spend: spendClient, logger, now: clock.now });
  const emailQueue =
    opts.emailQueue ??
    createEmailQueue({ connection: queueConnection, prefix: redisKeys(prefix).bullPrefix });
  const config: IdentityConfig = {
    proxyBaseUrl: BASE_URL,
    proxyLogoutUrl: null,
    uiUsername: 'admin',
    uiPassword: UI_PASSWORD,
    orgName: 'Test Org',
    trustProxy: 'loopback',
    loginLimits: { perAccount: 10, perIp: 100, windowSeconds: 900 },
    ...opts.config,
  };
  const app = createApp({
    db,
    pingDb: ping,
    redis,
    redisPrefix: prefix,
    internalSecret: SECRET,
    logger,
    readiness: { accepting: true },
    keys: keysClient,
    outbox,
    spend: spendClient,
    budgetSchedules,
    emailQueue,
    passwords: createPasswordHasher(),
    config,
    now: clock.now,
  });
  const inspectConnection = createRedis({ url: redisUrl, role: 'worker', onError: () => {} });
  const queue = new Queue(QUEUES.email, {
    connection: inspectConnection,
    prefix: redisKeys(prefix).bullPrefix,
  });
  const sign = (p: Principal) => signPrincipal(p, SECRET);
  return {
    app,
    db,
    redis,
    prefix,
    keys,
    spend,
    clock,
    outbox,
    budgetSchedules,
    emailQueue: queue,
    database,
    config,
    as: (principal) => ({
      get: (path) => request(app).get(path).set('x-llmgw-principal', sign(principal)),
      post: (path, body = {}) => request(app).post(path).set('x-llmgw-principal', sign(principal)).send(body),
    }),
    anonymous: () => request(app),
    close: async () => {
      await queue.close();
      await emailQueue.close();
      await outbox.stop();
      await budgetSchedules.stop();
      await keys.stop();
      await spend.stop();
      await close();
      inspectConnection.disconnect();
      queueConnection.disconnect();
      redis.disconnect();
      await database.drop();
    },
  };
}

/** The cookies a response set, by name (value and attributes). */
export function setCookies(res: { headers: Record<string, unknown> }): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? (raw as string[]) : raw ? [String(raw)] : [];
  return Object.fromEntries(list.map((c) => [c.split('=')[0] ?? '', c]));
}

export const cookieValue = (setCookie: string | undefined) =>
  (setCookie ?? '').split(';')[0]?.split('=')[1] ?? '';

export { CSRF_COOKIE, PRINCIPAL_MAX_AGE_MS, SESSION_COOKIE };
