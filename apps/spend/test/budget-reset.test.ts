import { INTERNAL_ROUTES, QUEUES, redisKeys } from '@llmgw/contracts';
import { createRedis } from '@llmgw/db/redis';
import { waitFor } from '@llmgw/testing';
import { Queue } from 'bullmq';
import request from 'supertest';
import { counterKeys } from '../src/totals/budget-counters';
import { BUDGET_RESET_JOB } from '../src/worker/spend.processor';
import { scheduleBudgetResets } from '../src/worker/spend.worker';
import { REDIS_URL, type SpendHarness, spendEvent, startSpend } from './spend-harness';

const NANO = 1e9;

describe('budget resets (budget_duration, wire contract §0.3)', () => {
  let h: SpendHarness;
  let svc: Record<string, string>;
  const counter = (kind: 'key' | 'user' | 'team' | 'member', id: string) =>
    counterKeys(redisKeys(h.redisPrefix), kind, id);
  const total = async (kind: 'key' | 'user' | 'team' | 'member', id: string) =>
    h.db
      .selectFrom('spend.totals')
      .select(['spend', 'budget_reset_at', 'reset_seq'])
      .where('entity_kind', '=', kind)
      .where('entity_id', '=', id)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    h = await startSpend({ now: new Date('2030-03-13T13:47:00.000Z') });
    svc = h.as('proxy_admin', { kind: 'master', userId: 'spend-client' });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('when a key has budget_duration 1d, then it resets exactly at the next midnight UTC, keeping in-flight reservations in Redis', async () => {
    const key = 'a1'.repeat(32);
    await request(h.app)
      .post(INTERNAL_ROUTES.budgetSchedule)
      .set(svc)
      .send({ kind: 'key', id: key, budget_duration: '1d' });
    await h.services.events.record(spendEvent({ keyHash: key, userId: null, teamId: null, cost: 2 }));
    await request(h.app).post(INTERNAL_ROUTES.spendCounterSeed).set(svc).send({ key_hash: key });
    // The gateway reserves 0.5 USD for a call in flight.
    await h.redis.incrby(counter('key', key).counter, 0.5 * NANO);

    h.setNow(new Date('2030-03-13T23:59:59.999Z'));
    expect(await h.services.resets.runDue()).toEqual({ reset: 0, adjusted: 0 });
    expect(await total('key', key)).toEqual({
      spend: 2,
      budget_reset_at: new Date('2030-03-14T00:00:00.000Z'),
      reset_seq: 0,
    });

    h.setNow(new Date('2030-03-14T00:00:00.000Z'));
    expect(await h.services.resets.runDue()).toEqual({ reset: 1, adjusted: 1 });
    expect(await total('key', key)).toEqual({
      spend: 0,
      budget_reset_at: new Date('2030-03-15T00:00:00.000Z'),
      reset_seq: 1,
    });
    expect(Number(await h.redis.get(counter('key', key).counter))).toBe(0.5 * NANO);
    const resets = await h.db
      .selectFrom('spend.budget_resets')
      .select(['entity_kind', 'entity_id', 'reset_seq', 'amount', 'reason', 'reset_at', 'redis_applied_at'])
      .where('entity_id', '=', key)
      .execute();
    expect(resets).toEqual([
      {
        entity_kind: 'key',
        entity_id: key,
        reset_seq: 1,
        amount: 2,
        reason: 'budget_duration',
        reset_at: new Date('2030-03-14T00:00:00.000Z'),
        redis_applied_at: expect.any(Date),
      },
    ]);

    // Running again at the same time changes nothing; spend after the reset counts in the new period.
    expect(await h.services.resets.runDue()).toEqual({ reset: 0, adjusted: 0 });
    await h.services.events.record(spendEvent({ keyHash: key, userId: null, teamId: null, cost: 0.25 }));
    expect((await total('key', key)).spend).toBe(0.25);
    h.setNow(new Date('2030-03-15T00:00:30.000Z'));
    expect(await h.services.resets.runDue()).toEqual({ reset: 1, adjusted: 1 });
    expect(await total('key', key)).toEqual({
      spend: 0,
      budget_reset_at: new Date('2030-03-16T00:00:00.000Z'),
      reset_seq: 2,
    });
  });

  test('when user, team and membership have durations, then each resets on its own schedule', async () => {
    h.setNow(new Date('2030-04-02T10:00:00.000Z')); // a Tuesday
    for (const [kind, id, d] of [
      ['user', 'u-r', '1d'],
      ['team', 't-r', '7d'],
      ['member', 't-r:u-r', '1h'],
    ] as const) {
      await request(h.app)
        .post(INTERNAL_ROUTES.budgetSchedule)
        .set(svc)
        .send({ kind, id, budget_duration: d });
    }
    await h.services.events.record(
      spendEvent({ keyHash: 'b2'.repeat(32), userId: 'u-r', teamId: 't-r', cost: 1 }),
    );

    h.setNow(new Date('2030-04-02T11:00:00.000Z'));
    await h.services.resets.runDue();
    expect([
      (await total('user', 'u-r')).spend,
      (await total('team', 't-r')).spend,
      (await total('member', 't-r:u-r')).spend,
    ]).toEqual([1, 1, 0]);

    h.setNow(new Date('2030-04-03T00:00:00.000Z'));
    await h.services.resets.runDue();
    expect([(await total('user', 'u-r')).spend, (await total('team', 't-r')).spend]).toEqual([0, 1]);

    h.setNow(new Date('2030-04-08T00:00:00.000Z'));
    await h.services.resets.runDue();
    expect((await total('team', 't-r')).spend).toBe(0);
    expect((await total('team', 't-r')).budget_reset_at).toEqual(new Date('2030-04-15T00:00:00.000Z'));
  });

  test('when Redis fails after Postgres reset, then the adjustment is owed and applied exactly once by the next run', async () => {
    const key = 'c3'.repeat(32);
    h.setNow(new Date('2030-06-10T08:00:00.000Z'));
    await request(h.app)
      .post(INTERNAL_ROUTES.budgetSchedule)
      .set(svc)
      .send({ kind: 'key', id: key, budget_duration: '1d' });
    await h.services.events.record(spendEvent({ keyHash: key, userId: null, teamId: null, cost: 4 }));
    await request(h.app).post(INTERNAL_ROUTES.spendCounterSeed).set(svc).send({ key_hash: key });

    const spy = jest.spyOn(h.services.counters, 'adjust').mockRejectedValueOnce(new Error('redis down'));
    h.setNow(new Date('2030-06-11T00:00:00.000Z'));
    await expect(h.services.resets.runDue()).rejects.toThrow('redis down');
    spy.mockRestore();
    expect((await total('key', key)).spend).toBe(0);
    expect(Number(await h.redis.get(counter('key', key).counter))).toBe(4 * NANO);

    // Other entities of this file were due too; what matters is this key's counter, and nothing left owed.
    expect(await h.services.resets.runDue()).toEqual({ reset: 0, adjusted: expect.any(Number) });
    expect(Number(await h.redis.get(counter('key', key).counter))).toBe(0);
    expect(await h.services.resets.runDue()).toEqual({ reset: 0, adjusted: 0 });
    expect(Number(await h.redis.get(counter('key', key).counter))).toBe(0);
  });

  test('when a counter is rebuilt after a reset whose adjustment is still owed, then the owed adjustment is not subtracted again', async () => {
    const key = 'd4'.repeat(32);
    h.setNow(new Date('2030-07-10T08:00:00.000Z'));
    await request(h.app)
      .post(INTERNAL_ROUTES.budgetSchedule)
      .set(svc)
      .send({ kind: 'key', id: key, budget_duration: '1d' });
    await h.services.events.record(spendEvent({ keyHash: key, userId: null, teamId: null, cost: 4 }));

    const spy = jest.spyOn(h.services.counters, 'adjust').mockRejectedValueOnce(new Error('redis down'));
    h.setNow(new Date('2030-07-11T00:00:00.000Z'));
    await expect(h.services.resets.runDue()).rejects.toThrow('redis down');
    spy.mockRestore();
    // The counter was missing (e.g. Redis restarted); a gateway seeds it from the reset total.
    const seeded = await request(h.app)
      .post(INTERNAL_ROUTES.spendCounterSeed)
      .set(svc)
      .send({ key_hash: key });
    expect(seeded.body.counters).toEqual([{ kind: 'key', id: key, spend_nano: 0, seeded: true }]);
    await h.redis.incrby(counter('key', key).counter, 0.1 * NANO);

    expect(await h.services.resets.runDue()).toEqual({ reset: 0, adjusted: expect.any(Number) });
    expect(Number(await h.redis.get(counter('key', key).counter))).toBe(0.1 * NANO);
    expect(await h.services.resets.runDue()).toEqual({ reset: 0, adjusted: 0 });
  });

  describe('POST /global/spend/reset', () => {
    test('when called with the master key, then every key and team total is 0 (users, memberships and logs stay) and key counters drop', async () => {
      h.setNow(new Date('2030-08-01T12:00:00.000Z'));
      const key = 'e5'.repeat(32);
      await h.services.events.record(spendEvent({ keyHash: key, userId: 'u-g', teamId: 't-g', cost: 3 }));
      await request(h.app)
        .post(INTERNAL_ROUTES.spendCounterSeed)
        .set(svc)
        .send({ key_hash: key, user_id: 'u-g', team_id: 't-g' });
      const logsBefore = await h.db.selectFrom('spend.spend_logs').select('call_id').execute();

      const res = await request(h.app).post('/global/spend/reset').set(h.master());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        message: 'Spend for all API Keys and Teams reset successfully',
        status: 'success',
      });
      const totals = await h.db
        .selectFrom('spend.totals')
        .select(['entity_kind', 'spend'])
        .where('entity_kind', 'in', ['key', 'team'])
        .execute();
      expect(totals.every((t) => t.spend === 0)).toBe(true);
      expect((await total('user', 'u-g')).spend).toBe(3);
      expect((await total('member', 't-g:u-g')).spend).toBe(3);
      expect(await h.db.selectFrom('spend.spend_logs').select('call_id').execute()).toHaveLength(
        logsBefore.length,
      );
      expect(Number(await h.redis.get(counter('key', key).counter))).toBe(0);
      expect(Number(await h.redis.get(counter('team', 't-g').counter))).toBe(0);
      expect(Number(await h.redis.get(counter('user', 'u-g').counter))).toBe(3 * NANO);
    });

    test.each([
      ['a proxy_admin user', 'proxy_admin'],
      ['an internal user', 'internal_user'],
    ] as const)('when %s calls it, then it is refused as master-key-only', async (_label, role) => {
      const res = await request(h.app)
        .post('/global/spend/reset')
        .set(h.as(role, { kind: 'key' }));
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message:
            'Authentication Error, Tried to access route=/global/spend/reset, which is only for MASTER KEY',
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      });
    });
  });
});

describe('the budget-reset job', () => {
  let h: SpendHarness;
  beforeAll(async () => {
    h = await startSpend({ now: new Date('2030-09-01T10:00:00.000Z') });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('when several replicas start, then one job scheduler exists and one reset job waits per period', async () => {
    const prefix = redisKeys(h.redisPrefix).bullPrefix;
    const connections = [0, 1, 2].map(() =>
      createRedis({ url: REDIS_URL, role: 'command', onError: () => {} }),
    );
    await Promise.all(connections.map((c) => c.connect()));
    const replicas = connections.map((connection) => new Queue(QUEUES.spend, { connection, prefix }));
    try {
      await Promise.all(replicas.map((q) => scheduleBudgetResets(q, 60_000)));
      await Promise.all(replicas.map((q) => scheduleBudgetResets(q, 60_000)));
      expect(await h.queue.getJobSchedulersCount()).toBe(1);
      const [scheduler] = await h.queue.getJobSchedulers();
      expect(scheduler).toMatchObject({ key: BUDGET_RESET_JOB, every: 60_000 });
      const pending = [...(await h.queue.getDelayed()), ...(await h.queue.getWaiting())].filter(
        (j) => j.name === BUDGET_RESET_JOB,
      );
      expect(pending).toHaveLength(1);
    } finally {
      await Promise.all(replicas.map((q) => q.close()));
      for (const c of connections) c.disconnect();
    }
  });

  test('when the worker runs the scheduled job, then due totals are reset', async () => {
    await h.queue.removeJobScheduler(BUDGET_RESET_JOB);
    const key = 'f6'.repeat(32);
    await h.services.totals.schedule({ kind: 'key', id: key, budget_duration: '1d' });
    await h.services.events.record(spendEvent({ keyHash: key, userId: null, teamId: null, cost: 1 }));
    h.setNow(new Date('2030-09-02T00:00:01.000Z'));
    h.startWorker();
    await scheduleBudgetResets(h.queue, 1000);
    await waitFor(async () => {
      const row = await h.db
        .selectFrom('spend.totals')
        .select('spend')
        .where('entity_kind', '=', 'key')
        .where('entity_id', '=', key)
        .executeTakeFirstOrThrow();
      return row.spend === 0;
    }, 15_000);
  });
});
