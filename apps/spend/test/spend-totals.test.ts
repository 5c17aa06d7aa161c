import { INTERNAL_ROUTES, redisKeys } from '@llmgw/contracts';
import request from 'supertest';
import { counterKeys } from '../src/totals/budget-counters';
import { type SpendHarness, spendEvent, startSpend } from './spend-harness';

const KEY = '3'.repeat(64);

describe('internal spend totals', () => {
  let h: SpendHarness;
  let svc: Record<string, string>;
  const counter = (kind: 'key' | 'user' | 'team' | 'member', id: string) =>
    counterKeys(redisKeys(h.redisPrefix), kind, id);

  beforeAll(async () => {
    h = await startSpend({ now: new Date('2030-05-15T13:47:12.000Z') });
    svc = h.as('proxy_admin', { kind: 'master', userId: 'spend-client' });
    await h.services.events.record(spendEvent({ keyHash: KEY, userId: 'u1', teamId: 't1', cost: 1.25 }));
    await h.services.events.record(spendEvent({ keyHash: KEY, userId: 'u1', teamId: 't1', cost: 0.75 }));
    await h.services.events.record(
      spendEvent({ keyHash: '4'.repeat(64), userId: 'u1', teamId: null, cost: 3 }),
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  test('when asked for a key, user and team, then their totals and the membership total come back', async () => {
    const res = await request(h.app)
      .get(INTERNAL_ROUTES.spendTotals)
      .query({ key_hash: KEY, user_id: 'u1', team_id: 't1' })
      .set(svc);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      key: { spend: 2, budget_duration: null, budget_reset_at: null },
      user: { spend: 5, budget_duration: null, budget_reset_at: null },
      team: { spend: 2, budget_duration: null, budget_reset_at: null },
      membership: { spend: 2, budget_duration: null, budget_reset_at: null },
    });
  });

  test('when asked for a key only, or for entities without spend, then the rest is null and unknown ones are 0', async () => {
    const res = await request(h.app)
      .get(INTERNAL_ROUTES.spendTotals)
      .query({ key_hash: 'f'.repeat(64) })
      .set(svc);
    expect(res.body).toEqual({
      key: { spend: 0, budget_duration: null, budget_reset_at: null },
      user: null,
      team: null,
      membership: null,
    });
  });

  test('when many totals are asked for at once, then every one comes back by id', async () => {
    const res = await request(h.app)
      .post(INTERNAL_ROUTES.spendTotals)
      .set(svc)
      .send({
        key_hashes: [KEY, '4'.repeat(64)],
        user_ids: ['u1', 'nobody'],
        team_ids: ['t1'],
        memberships: [{ team_id: 't1', user_id: 'u1' }],
      });
    expect(res.status).toBe(200);
    const z = { budget_duration: null, budget_reset_at: null };
    expect(res.body).toEqual({
      keys: { [KEY]: { spend: 2, ...z }, ['4'.repeat(64)]: { spend: 3, ...z } },
      users: { u1: { spend: 5, ...z }, nobody: { spend: 0, ...z } },
      teams: { t1: { spend: 2, ...z } },
      memberships: [{ team_id: 't1', user_id: 'u1', spend: 2, ...z }],
    });
  });

  test('when the caller has no signed principal, then it is refused', async () => {
    const res = await request(h.app).get(INTERNAL_ROUTES.spendTotals).query({ key_hash: KEY });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: {
        message: 'Authentication Error, missing internal principal. Call this service through the gateway.',
        type: 'auth_error',
        param: 'None',
        code: '401',
      },
    });
  });

  describe('budget schedules', () => {
    const schedule = (body: object) =>
      request(h.app).post(INTERNAL_ROUTES.budgetSchedule).set(svc).send(body);

    test('when a key gets budget_duration 1d, then its first reset is the next midnight UTC and totals show it', async () => {
      const res = await schedule({ kind: 'key', id: KEY, budget_duration: '1d' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        kind: 'key',
        id: KEY,
        budget_duration: '1d',
        budget_reset_at: '2030-05-16T00:00:00.000Z',
      });
      const totals = await request(h.app).get(INTERNAL_ROUTES.spendTotals).query({ key_hash: KEY }).set(svc);
      expect(totals.body.key).toEqual({
        spend: 2,
        budget_duration: '1d',
        budget_reset_at: '2030-05-16T00:00:00.000Z',
      });
    });

    test('when the same duration is sent again later, then the schedule is kept', async () => {
      h.setNow(new Date('2030-05-15T20:00:00.000Z'));
      const res = await schedule({ kind: 'key', id: KEY, budget_duration: '1d' });
      expect(res.body.budget_reset_at).toBe('2030-05-16T00:00:00.000Z');
    });

    test.each([
      ['7d', '2030-05-20T00:00:00.000Z'],
      ['30d', '2030-06-01T00:00:00.000Z'],
      ['1h', '2030-05-15T21:00:00.000Z'],
      ['1mo', '2030-06-01T00:00:00.000Z'],
    ])(
      'when a user gets budget_duration %s on a Wednesday evening, then its first reset is %s',
      async (d, at) => {
        h.setNow(new Date('2030-05-15T20:00:00.000Z'));
        const res = await schedule({ kind: 'user', id: 'u1', budget_duration: d });
        expect(res.body).toEqual({ kind: 'user', id: 'u1', budget_duration: d, budget_reset_at: at });
      },
    );

    test('when the owner sends its own first reset time, then that time is used', async () => {
      const res = await schedule({
        kind: 'team',
        id: 't1',
        budget_duration: '1d',
        budget_reset_at: '2030-05-16T00:00:00+00:00',
      });
      expect(res.body.budget_reset_at).toBe('2030-05-16T00:00:00.000Z');
    });

    test('when a membership is scheduled, then its row names the team and the user', async () => {
      const res = await schedule({ kind: 'member', id: 't9:u9', budget_duration: '1d' });
      expect(res.status).toBe(200);
      const row = await h.db
        .selectFrom('spend.totals')
        .select(['team_id', 'user_id', 'spend'])
        .where('entity_kind', '=', 'member')
        .where('entity_id', '=', 't9:u9')
        .executeTakeFirst();
      expect(row).toEqual({ team_id: 't9', user_id: 'u9', spend: 0 });
    });

    test('when the duration is cleared, then no reset is scheduled', async () => {
      const res = await schedule({ kind: 'user', id: 'u1', budget_duration: null });
      expect(res.body).toEqual({ kind: 'user', id: 'u1', budget_duration: null, budget_reset_at: null });
    });

    test('when the duration or the member id is malformed, then it is a 400 naming the field', async () => {
      const bad = await schedule({ kind: 'key', id: KEY, budget_duration: '10 days' });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({
        error: {
          message: "budget_duration '10 days' is not a duration like 30s, 5m, 24h, 7d, 2w or 1mo",
          type: 'bad_request_error',
          param: 'budget_duration',
          code: '400',
        },
      });
      const member = await schedule({ kind: 'member', id: 'no-colon', budget_duration: '1d' });
      expect(member.status).toBe(400);
      expect(member.body.error.param).toBe('id');
      const kind = await schedule({ kind: 'org', id: 'x', budget_duration: '1d' });
      expect(kind.status).toBe(422);
      expect(kind.body.detail[0].loc).toEqual(['body', 'kind']);
    });
  });

  describe('seeding the gateway’s Redis budget counters', () => {
    const seed = (body: object) => request(h.app).post(INTERNAL_ROUTES.spendCounterSeed).set(svc).send(body);

    test('when counters are missing, then they are created from the totals in nano-USD', async () => {
      const res = await seed({ key_hash: KEY, user_id: 'u1', team_id: 't1' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        counters: [
          { kind: 'key', id: KEY, spend_nano: 2_000_000_000, seeded: true },
          { kind: 'user', id: 'u1', spend_nano: 5_000_000_000, seeded: true },
          { kind: 'team', id: 't1', spend_nano: 2_000_000_000, seeded: true },
          { kind: 'member', id: 't1:u1', spend_nano: 2_000_000_000, seeded: true },
        ],
      });
      expect(await h.redis.get(counter('key', KEY).counter)).toBe('2000000000');
      expect(await h.redis.get(counter('member', 't1:u1').counter)).toBe('2000000000');
    });

    test('when a counter exists, then a seed never overwrites it (the gateway’s reservations stay)', async () => {
      await h.redis.incrby(counter('key', KEY).counter, 123);
      const res = await seed({ key_hash: KEY });
      expect(res.body).toEqual({
        counters: [{ kind: 'key', id: KEY, spend_nano: 2_000_000_123, seeded: false }],
      });
      expect(await h.redis.get(counter('key', KEY).counter)).toBe('2000000123');
    });

    test('when 20 seeds of a missing counter race, then exactly one creates it and all see the same value', async () => {
      const id = '5'.repeat(64);
      await h.services.events.record(spendEvent({ keyHash: id, userId: null, teamId: null, cost: 0.5 }));
      const results = await Promise.all(Array.from({ length: 20 }, () => seed({ key_hash: id })));
      const counters = results.map((r) => r.body.counters[0]);
      expect(counters.filter((c) => c.seeded)).toHaveLength(1);
      expect(new Set(counters.map((c) => c.spend_nano))).toEqual(new Set([500_000_000]));
      expect(await h.redis.get(counter('key', id).counter)).toBe('500000000');
    });

    test('when Redis records a reset newer than every total read, then the seed refuses to write and answers 503', async () => {
      const id = '6'.repeat(64);
      await h.services.events.record(spendEvent({ keyHash: id, userId: null, teamId: null, cost: 0.5 }));
      await h.redis.set(counter('key', id).seq, 7);
      const res = await seed({ key_hash: id });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: {
          message: 'budget counters are being reset, retry shortly',
          type: 'service_unavailable',
          param: null,
          code: '503',
        },
      });
      expect(await h.redis.get(counter('key', id).counter)).toBeNull();
    });

    test('when many scopes are seeded at once, then missing counters are created from their totals and existing ones are left alone', async () => {
      const fresh = '8'.repeat(64);
      await h.redis.set(counter('key', KEY).counter, 2_000_000_777);
      const res = await request(h.app)
        .post(INTERNAL_ROUTES.spendCounterSeedMany)
        .set(svc)
        .send({
          key_hashes: [KEY, fresh],
          user_ids: ['u1'],
          memberships: [{ team_id: 't1', user_id: 'u1' }],
        });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        counters: [
          { kind: 'key', id: KEY, spend_nano: 2_000_000_777, seeded: false },
          { kind: 'key', id: fresh, spend_nano: 0, seeded: true },
          { kind: 'user', id: 'u1', spend_nano: 5_000_000_000, seeded: false },
          { kind: 'member', id: 't1:u1', spend_nano: 2_000_000_000, seeded: false },
        ],
      });
      expect(await h.redis.get(counter('key', fresh).counter)).toBe('0');
    });

    test('when one scope of a bulk seed stays contended, then the others are seeded and it is left out', async () => {
      const contended = '9'.repeat(64);
      const fine = 'a'.repeat(64);
      await h.services.events.record(
        spendEvent({ keyHash: contended, userId: null, teamId: null, cost: 0.5 }),
      );
      await h.redis.set(counter('key', contended).seq, 7);
      const res = await request(h.app)
        .post(INTERNAL_ROUTES.spendCounterSeedMany)
        .set(svc)
        .send({ key_hashes: [contended, fine] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ counters: [{ kind: 'key', id: fine, spend_nano: 0, seeded: true }] });
      expect(await h.redis.get(counter('key', contended).counter)).toBeNull();
    });

    test('when a bulk seed names more than 1000 keys, then it is refused with 422 naming the field', async () => {
      const res = await request(h.app)
        .post(INTERNAL_ROUTES.spendCounterSeedMany)
        .set(svc)
        .send({ key_hashes: Array.from({ length: 1001 }, (_, i) => `k${i}`) });
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['body', 'key_hashes']);
    });

    test('when a seed read a total before a reset that Redis already knows of, then the script refuses it (stale)', async () => {
      const id = '7'.repeat(64);
      await h.redis.set(counter('key', id).seq, 1);
      const out = await h.services.counters.seed([{ kind: 'key', id, spendNano: 9_000_000_000, seq: 0 }]);
      expect(out).toEqual([{ kind: 'key', id, status: 'stale' }]);
      const fresh = await h.services.counters.seed([{ kind: 'key', id, spendNano: 0, seq: 1 }]);
      expect(fresh).toEqual([{ kind: 'key', id, status: 'seeded', spendNano: 0 }]);
    });
  });
});
