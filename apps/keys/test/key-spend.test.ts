import { INTERNAL_ROUTES } from '@llmgw/contracts';
import { createLogger } from '@llmgw/http';
import { keyWireRow, sha256 } from '@llmgw/testing';
import { createBudgetScheduleOutbox } from '../src/spend/budget-schedule-outbox';
import { createSpendClient } from '../src/spend/spend-client';
import { INTERNAL_SECRET, type KeysHarness, MASTER, startKeys } from './keys-harness';

const NOW = new Date('2031-03-05T10:00:00.000Z');
const NEXT_MIDNIGHT = '2031-03-06T00:00:00.000Z';
const iu = { role: 'internal_user' as const, userId: 'spend-user-01' };

/** Polls until `check` holds (background retries), at most 5 s. */
async function until(check: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 250 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
  expect(await check()).toBe(true);
}

describe('keys and the spend service (spend totals, budget schedules)', () => {
  let h: KeysHarness;
  /** The service's clock; moved on by a second per key where creation order matters. */
  let at = NOW.getTime();
  const generate = async (body: Record<string, unknown> = {}) => {
    const res = await h.http.post('/key/generate').set(h.as(MASTER)).send(body);
    expect(res.status).toBe(200);
    return res.body.key as string;
  };
  const callsTo = (path: string) => h.spend.calls.filter((c) => c.path === path);
  /** The service's clock stands still here, so the outbox's backoff is skipped by hand. */
  const makeOwedDue = () =>
    h.db
      .updateTable('keys.budget_schedule_outbox')
      .set({ next_attempt_at: new Date(0) })
      .execute();

  beforeAll(async () => {
    h = await startKeys({ now: () => new Date(at) });
    h.identity.addUser(iu.userId, 'internal_user');
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.spend.calls = [];
    h.spend.failing = false;
  });

  describe('GET /key/info', () => {
    test('when spend has a total for the key, then `spend` is that total and no stale header is set', async () => {
      const key = await generate({ key_alias: 'info-spend', user_id: iu.userId });
      h.spend.setSpend('key', sha256(key), 1.25);

      const res = await h.http.get('/key/info').query({ key }).set(h.as(MASTER));

      const { token: _t, ...info } = keyWireRow({
        key_name: `sk-...${key.slice(-4)}`,
        key_alias: 'info-spend',
        user_id: iu.userId,
        spend: 1.25,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ key, info });
      expect(res.headers['x-llmgw-spend-stale']).toBeUndefined();
      expect(callsTo(INTERNAL_ROUTES.spendTotals)).toEqual([
        { method: 'POST', path: INTERNAL_ROUTES.spendTotals, body: { key_hashes: [sha256(key)] } },
      ]);
    });

    test('when spend has moved the key’s reset time on (a reset happened), then budget_reset_at is spend’s', async () => {
      const key = await generate({ key_alias: 'info-reset', budget_duration: '1d' });
      h.spend.totals.set(`key:${sha256(key)}`, {
        spend: 0.5,
        budget_duration: '1d',
        budget_reset_at: '2031-03-07T00:00:00.000Z',
      });

      const res = await h.http.get('/key/info').query({ key }).set(h.as(MASTER));

      expect(res.status).toBe(200);
      expect(res.body.info).toEqual(
        expect.objectContaining({
          spend: 0.5,
          budget_duration: '1d',
          budget_reset_at: '2031-03-07T00:00:00.000Z',
        }),
      );
    });

    test('when spend is unreachable, then 200 with the stored spend and `x-llmgw-spend-stale: 1`', async () => {
      const key = await generate({ key_alias: 'info-stale', spend: 3 });
      h.spend.setSpend('key', sha256(key), 7);
      h.spend.failing = true;

      const res = await h.http.get('/key/info').query({ key }).set(h.as(MASTER));

      const { token: _t, ...info } = keyWireRow({
        key_name: `sk-...${key.slice(-4)}`,
        key_alias: 'info-stale',
        spend: 3,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ key, info });
      expect(res.headers['x-llmgw-spend-stale']).toBe('1');
    });
  });

  describe('GET /key/list', () => {
    const owner = { role: 'internal_user' as const, userId: 'list-owner-02' };
    const keys: Record<string, string> = {};

    beforeAll(async () => {
      h.identity.addUser(owner.userId, 'internal_user');
      // Created in this order (newest last); totals make the spend order b > c > a = d.
      for (const name of ['a', 'b', 'c', 'd']) {
        at += 1000;
        keys[name] = await generate({ user_id: owner.userId, key_alias: `list-${name}` });
      }
      h.spend.setSpend('key', sha256(keys.a as string), 0.1);
      h.spend.setSpend('key', sha256(keys.b as string), 9);
      h.spend.setSpend('key', sha256(keys.c as string), 2.5);
      h.spend.setSpend('key', sha256(keys.d as string), 0.1);
    });

    const aliases = (res: { body: { keys: { key_alias: string }[] } }) =>
      res.body.keys.map((k) => k.key_alias);

    test('when full objects are asked, then every key shows its total, from one bulk call for the page', async () => {
      const res = await h.http
        .get('/key/list')
        .query({ return_full_object: 'true', user_id: owner.userId })
        .set(h.as(MASTER));

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        keys: ['d', 'c', 'b', 'a'].map((n) =>
          keyWireRow({
            token: sha256(keys[n] as string),
            key_name: `sk-...${(keys[n] as string).slice(-4)}`,
            key_alias: `list-${n}`,
            user_id: owner.userId,
            spend: { a: 0.1, b: 9, c: 2.5, d: 0.1 }[n],
          }),
        ),
        total_count: 4,
        current_page: 1,
        total_pages: 1,
      });
      expect(callsTo(INTERNAL_ROUTES.spendTotals)).toEqual([
        {
          method: 'POST',
          path: INTERNAL_ROUTES.spendTotals,
          body: { key_hashes: ['d', 'c', 'b', 'a'].map((n) => sha256(keys[n] as string)) },
        },
      ]);
    });

    test('when only hashes are asked, then spend is not called', async () => {
      const res = await h.http.get('/key/list').query({ user_id: owner.userId }).set(h.as(MASTER));

      expect(res.status).toBe(200);
      expect(res.body.keys).toEqual(['d', 'c', 'b', 'a'].map((n) => sha256(keys[n] as string)));
      expect(h.spend.calls).toEqual([]);
    });

    test('when sorted by spend, then the order and the pages follow the spend totals (ties: newest first)', async () => {
      const page = async (sort_order: string, p: number) => {
        const res = await h.http
          .get('/key/list')
          .query({
            return_full_object: 'true',
            user_id: owner.userId,
            sort_by: 'spend',
            sort_order,
            size: 3,
            page: p,
          })
          .set(h.as(owner));
        expect(res.status).toBe(200);
        expect(res.body).toEqual(
          expect.objectContaining({ total_count: 4, current_page: p, total_pages: 2 }),
        );
        return aliases(res);
      };

      expect(await page('desc', 1)).toEqual(['list-b', 'list-c', 'list-d']);
      expect(await page('desc', 2)).toEqual(['list-a']);
      expect(await page('asc', 1)).toEqual(['list-d', 'list-a', 'list-c']);
      expect(await page('asc', 2)).toEqual(['list-b']);
    });

    test('when sorted by spend and only hashes are asked, then the hashes come in spend order', async () => {
      const res = await h.http
        .get('/key/list')
        .query({ user_id: owner.userId, sort_by: 'spend', sort_order: 'desc' })
        .set(h.as(MASTER));

      expect(res.status).toBe(200);
      expect(res.body.keys).toEqual(['b', 'c', 'd', 'a'].map((n) => sha256(keys[n] as string)));
    });

    test('when spend is unreachable, then 200 with stored spend (sorted by the stored column) and the stale header', async () => {
      h.spend.failing = true;
      for (const sort of [{}, { sort_by: 'spend' }]) {
        const res = await h.http
          .get('/key/list')
          .query({ return_full_object: 'true', user_id: owner.userId, ...sort })
          .set(h.as(MASTER));

        expect(res.status).toBe(200);
        expect(res.headers['x-llmgw-spend-stale']).toBe('1');
        expect(res.body.total_count).toBe(4);
        expect(res.body.keys.map((k: { spend: number }) => k.spend)).toEqual([0, 0, 0, 0]);
      }
    });
  });

  describe('budget schedules', () => {
    test('when a key is generated with budget_duration, then spend gets its schedule (next midnight UTC) before the answer', async () => {
      const key = await generate({ budget_duration: '1d' });

      expect(h.spend.schedules()).toEqual([
        { kind: 'key', id: sha256(key), budget_duration: '1d', budget_reset_at: NEXT_MIDNIGHT },
      ]);
      expect(h.spend.totalsOf('key', sha256(key))).toEqual({
        spend: 0,
        budget_duration: '1d',
        budget_reset_at: NEXT_MIDNIGHT,
      });
    });

    test('when a key is generated without budget_duration, then spend is not called', async () => {
      await generate({ key_alias: 'no-schedule' });

      expect(h.spend.calls).toEqual([]);
    });

    test('when /key/update sets, changes or clears budget_duration, then spend gets each; other updates send nothing', async () => {
      const key = await generate({});
      const update = async (body: Record<string, unknown>) => {
        const res = await h.http
          .post('/key/update')
          .set(h.as(MASTER))
          .send({ key, ...body });
        expect(res.status).toBe(200);
      };

      await update({ budget_duration: '7d' });
      await update({ budget_duration: '30d' });
      await update({ max_budget: 5 });
      await update({ budget_duration: null });

      expect(h.spend.schedules()).toEqual([
        // 2031-03-05 is a Wednesday: weekly budgets reset on Monday, monthly ones on the 1st.
        { kind: 'key', id: sha256(key), budget_duration: '7d', budget_reset_at: '2031-03-10T00:00:00.000Z' },
        { kind: 'key', id: sha256(key), budget_duration: '30d', budget_reset_at: '2031-04-01T00:00:00.000Z' },
        { kind: 'key', id: sha256(key), budget_duration: null },
      ]);
      expect(h.spend.totalsOf('key', sha256(key))).toEqual({
        spend: 0,
        budget_duration: null,
        budget_reset_at: null,
      });
    });

    test('when a key with a schedule is regenerated, then the schedule moves to the new hash', async () => {
      const key = await generate({ budget_duration: '1d' });
      h.spend.calls = [];

      const res = await h.http.post('/key/regenerate').set(h.as(MASTER)).send({ key });

      expect(res.status).toBe(200);
      // Two keys, delivered side by side: in either order.
      expect(h.spend.schedules()).toHaveLength(2);
      expect(h.spend.schedules()).toEqual(
        expect.arrayContaining([
          { kind: 'key', id: sha256(key), budget_duration: null },
          { kind: 'key', id: sha256(res.body.key), budget_duration: '1d', budget_reset_at: NEXT_MIDNIGHT },
        ]),
      );
    });

    test('when keys are deleted, then the schedules of those that had one are cleared', async () => {
      const scheduled = await generate({ budget_duration: '1d' });
      const plain = await generate({});
      h.spend.calls = [];

      const res = await h.http
        .post('/key/delete')
        .set(h.as(MASTER))
        .send({ keys: [scheduled, plain] });

      expect(res.status).toBe(200);
      expect(h.spend.schedules()).toEqual([{ kind: 'key', id: sha256(scheduled), budget_duration: null }]);
    });

    test('when identity deletes an owner’s keys, then their schedules are cleared', async () => {
      h.identity.addUser('cascade-user-03', 'internal_user');
      const scheduled = await generate({ user_id: 'cascade-user-03', budget_duration: '7d' });
      await generate({ user_id: 'cascade-user-03' });
      h.spend.calls = [];

      const res = await h.http
        .post(INTERNAL_ROUTES.keysDeleteByOwner)
        .set(h.as(MASTER))
        .send({ userIds: ['cascade-user-03'] });

      expect(res.status).toBe(200);
      expect(h.spend.schedules()).toEqual([{ kind: 'key', id: sha256(scheduled), budget_duration: null }]);
    });

    test('when spend is down during /key/generate, then the key is still created and the schedule is retried until spend has it', async () => {
      h.spend.failing = true;
      const key = await generate({ budget_duration: '1d' });
      // Owed in the table, not in process memory: a restart would still deliver it.
      expect(await h.schedules.owed()).toEqual([sha256(key)]);

      h.spend.failing = false;
      await makeOwedDue();
      await until(() => h.spend.totalsOf('key', sha256(key)).budget_duration === '1d');
      expect(h.spend.totalsOf('key', sha256(key))).toEqual({
        spend: 0,
        budget_duration: '1d',
        budget_reset_at: NEXT_MIDNIGHT,
      });
      await until(async () => (await h.schedules.owed()).length === 0);
    });

    test('when spend is down during /key/delete, then the key is dropped from the cache at once and its cleared schedule follows from the table', async () => {
      const key = await generate({ budget_duration: '1d' });
      expect((await h.cached(sha256(key)))?.found).toBe(true);
      h.spend.failing = true;

      const res = await h.http
        .post('/key/delete')
        .set(h.as(MASTER))
        .send({ keys: [key] });

      expect(res.status).toBe(200);
      // The gateways stop accepting the key whatever spend does.
      expect((await h.cached(sha256(key)))?.found ?? false).toBe(false);
      expect(await h.schedules.owed()).toEqual([sha256(key)]);

      h.spend.failing = false;
      h.spend.calls = [];
      await makeOwedDue();
      await until(async () => (await h.schedules.owed()).length === 0);
      expect(h.spend.schedules()).toEqual([{ kind: 'key', id: sha256(key), budget_duration: null }]);
    });

    test('when a retry comes after the reset time it carried, then that time is left out (spend keeps or computes its own)', async () => {
      const before = at;
      try {
        h.spend.failing = true;
        const key = await generate({ budget_duration: '1d' });
        expect(await h.schedules.owed()).toEqual([sha256(key)]);

        // Spend comes back only after the next midnight the key was given.
        at = Date.parse('2031-03-06T01:00:00.000Z');
        h.spend.failing = false;
        h.spend.calls = [];
        await makeOwedDue();
        await until(async () => (await h.schedules.owed()).length === 0);
        expect(h.spend.schedules()).toEqual([{ kind: 'key', id: sha256(key), budget_duration: '1d' }]);
      } finally {
        at = before;
      }
    });

    test('when the process that owed a schedule is gone, then a new one delivers it from the table', async () => {
      await h.schedules.stop();
      try {
        h.spend.failing = true;
        const key = await generate({ budget_duration: '7d' });
        expect(await h.schedules.owed()).toEqual([sha256(key)]);

        // A fresh outbox over the same database stands for the restarted service.
        h.spend.failing = false;
        const restarted = createBudgetScheduleOutbox({
          db: h.db,
          spend: createSpendClient({
            baseUrl: h.spend.url,
            internalSecret: INTERNAL_SECRET,
            timeoutMs: 2000,
          }),
          logger: createLogger({ name: 'keys', level: 'silent' }),
          now: () => new Date(at),
        });
        // Its backoff has not passed yet: the row waits.
        expect(await restarted.pump()).toBe(0);
        await makeOwedDue();
        expect(await restarted.pump()).toBe(1);
        expect(h.spend.totalsOf('key', sha256(key)).budget_duration).toBe('7d');
        expect(await restarted.owed()).toEqual([]);
      } finally {
        h.schedules.start(100);
      }
    });
  });

  describe('POST /key/regenerate', () => {
    test('when a key is regenerated, then spend copies its total to the new hash before the switch', async () => {
      const key = await generate({ key_alias: 'regen-spend' });
      h.spend.setSpend('key', sha256(key), 3.5);

      const res = await h.http.post('/key/regenerate').set(h.as(MASTER)).send({ key });

      expect(res.status).toBe(200);
      const fresh = res.body.key as string;
      expect(callsTo(INTERNAL_ROUTES.spendCopyKey)).toEqual([
        {
          method: 'POST',
          path: INTERNAL_ROUTES.spendCopyKey,
          body: { from_key_hash: sha256(key), to_key_hash: sha256(fresh) },
        },
      ]);
      const info = await h.http.get('/key/info').query({ key: fresh }).set(h.as(MASTER));
      expect(info.body.info.spend).toBe(3.5);
    });

    test('when spend is unreachable, then 503 and the old key is untouched', async () => {
      const key = await generate({ key_alias: 'regen-spend-down' });
      h.spend.failing = true;

      const res = await h.http.post('/key/regenerate').set(h.as(MASTER)).send({ key });

      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: {
          message:
            'the spend service is unavailable, so the key was not regenerated (its spend must move with it); retry shortly',
          type: 'service_unavailable',
          param: null,
          code: '503',
        },
      });
      h.spend.failing = false;
      const info = await h.http.get('/key/info').query({ key }).set(h.as(MASTER));
      expect(info.status).toBe(200);
      expect(info.body.info.key_alias).toBe('regen-spend-down');
    });
  });
});
