import { INTERNAL_ROUTES, redisKeys } from '@llmgw/contracts';
import { type OwnRedis, startOwnRedis, TcpFaultProxy, waitFor } from '@llmgw/testing';
import request from 'supertest';
import { counterKeys, toNano } from '../src/totals/budget-counters';
import { keepBudgetResetsScheduled } from '../src/worker/spend.worker';
import { type SpendHarness, spendEvent, startSpend } from './spend-harness';

/**
 * A Redis restart (no persistence) loses the gateway's budget counters. They come back from the
 * Postgres totals through the seed route (what the gateway calls when its reserve script finds a
 * budgeted scope without a counter), so a key over budget stays blocked, and concurrent rebuilds by
 * several gateways never add up.
 */
describe('budget counters after a Redis restart', () => {
  let redis: OwnRedis;
  let h: SpendHarness;
  let svc: Record<string, string>;
  const KEY = '9'.repeat(64);
  const MAX_BUDGET_USD = 5;

  const counters = () => {
    const k = redisKeys(h.redisPrefix);
    return {
      key: counterKeys(k, 'key', KEY).counter,
      user: counterKeys(k, 'user', 'u-over').counter,
      team: counterKeys(k, 'team', 't-over').counter,
      member: counterKeys(k, 'member', 't-over:u-over').counter,
    };
  };
  /** The gateway's budget rule: a scope is admitted while its counter is below the budget. */
  const blocked = async () => Number(await h.redis.get(counters().key)) >= toNano(MAX_BUDGET_USD);
  const seed = () =>
    request(h.app)
      .post(INTERNAL_ROUTES.spendCounterSeed)
      .set(svc)
      .send({ key_hash: KEY, user_id: 'u-over', team_id: 't-over' });

  beforeAll(async () => {
    redis = await startOwnRedis();
    h = await startSpend({ redisUrl: redis.url });
    svc = h.as('proxy_admin', { kind: 'master', userId: 'gateway' });
    h.startWorker();
  });
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
  });

  test('when Redis restarts, then the counters are rebuilt once from Postgres and a key over budget stays blocked', async () => {
    const events = Array.from({ length: 6 }, () =>
      spendEvent({ keyHash: KEY, userId: 'u-over', teamId: 't-over', cost: 1.1 }),
    );
    await h.enqueue(events);
    await h.waitForJobs(events.map((e) => e.callId));
    expect((await seed()).status).toBe(200);
    expect(await blocked()).toBe(true);

    await redis.restart();
    await waitFor(async () => (await h.redis.ping().catch(() => null)) === 'PONG', 10_000);
    expect(await h.redis.get(counters().key)).toBeNull();

    // The worker reconnects by itself: an event queued after the restart is recorded.
    const late = spendEvent({ keyHash: KEY, userId: 'u-over', teamId: 't-over', cost: 0.4 });
    await h.enqueue([late]);
    await h.waitForJobs([late.callId]);

    // Several gateways notice the missing counters at once.
    const results = await Promise.all(Array.from({ length: 10 }, () => seed()));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const expected = toNano(6 * 1.1 + 0.4);
    for (const kind of ['key', 'user', 'team', 'member'] as const) {
      const seen = results.map((r) => r.body.counters.find((c: { kind: string }) => c.kind === kind));
      expect(seen.filter((c) => c.seeded)).toHaveLength(1);
      expect(new Set(seen.map((c) => c.spend_nano))).toEqual(new Set([expected]));
    }
    const c = counters();
    expect(await h.redis.mget(c.key, c.user, c.team, c.member)).toEqual(Array(4).fill(String(expected)));
    expect(await blocked()).toBe(true);
  });

  test('when Redis restarts, then the budget-reset scheduler is written again', async () => {
    const stop = keepBudgetResetsScheduled({
      queue: h.queue,
      redis: h.redis,
      everyMs: 60_000,
      logger: { warn: () => {} } as never,
    });
    try {
      await waitFor(async () => (await h.queue.getJobSchedulersCount()) === 1, 10_000);
      await redis.restart();
      await waitFor(async () => (await h.queue.getJobSchedulersCount().catch(() => 0)) === 1, 10_000);
    } finally {
      stop();
    }
  });
});

describe('seeding while Redis is unreachable', () => {
  let proxy: TcpFaultProxy;
  let h: SpendHarness;
  beforeAll(async () => {
    proxy = await new TcpFaultProxy(6379).start();
    h = await startSpend({ redisUrl: `redis://127.0.0.1:${proxy.port}` });
  });
  afterAll(async () => {
    proxy.restore();
    await h?.close();
    await proxy?.stop();
  });

  test('when Redis cannot be reached, then the seed route answers 503 (the gateway fails closed) and works again once it is back', async () => {
    const svc = h.as('proxy_admin', { kind: 'master', userId: 'gateway' });
    proxy.cut();
    const res = await request(h.app)
      .post(INTERNAL_ROUTES.spendCounterSeed)
      .set(svc)
      .send({ key_hash: 'k'.repeat(64) });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: {
        message: 'redis is unavailable, retry shortly',
        type: 'service_unavailable',
        param: null,
        code: '503',
      },
    });
    proxy.restore();
    await waitFor(async () => (await h.redis.ping().catch(() => null)) === 'PONG', 10_000);
    const ok = await request(h.app)
      .post(INTERNAL_ROUTES.spendCounterSeed)
      .set(svc)
      .send({ key_hash: 'k'.repeat(64) });
    expect(ok.status).toBe(200);
  });
});
