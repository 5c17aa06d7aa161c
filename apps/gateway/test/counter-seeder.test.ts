/**
 * The gateway's budget-counter seeder against a stand-in spend service on a real HTTP port: seeds of one
 * tick travel together, a scope is never asked for twice while on its way, and failures fail closed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERNAL_ROUTES, redisKeys, type SpendTotalsBulk } from '@llmgw/contracts';
import { createLogger, isProxyError } from '@llmgw/http';
import { createCounterSeeder } from '../src/limits/counter-seeder';
import type { Scope } from '../src/limits/limiter';

const keys = redisKeys('test:');
const logger = createLogger({ name: 'test', level: 'silent' });

function scope(kind: Scope['kind'], id: string): Scope {
  return {
    descriptor: 'api_key',
    value: id,
    kind,
    id,
    base: keys.limitScope(kind, id),
    rpm: null,
    tpm: null,
    parallel: null,
    maxBudget: 1,
    budgetMessage: () => '',
  };
}

describe('counter seeder', () => {
  let server: Server;
  let url = '';
  let calls: { path: string; body: SpendTotalsBulk }[] = [];
  let status = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => {
        raw += c.toString();
      });
      req.on('end', () => {
        const body = JSON.parse(raw) as SpendTotalsBulk;
        calls.push({ path: req.url ?? '', body });
        const counters = [
          ...body.key_hashes.map((id) => ({ kind: 'key', id, spend_nano: 0, seeded: true })),
          ...body.user_ids.map((id) => ({ kind: 'user', id, spend_nano: 0, seeded: true })),
          ...body.team_ids.map((id) => ({ kind: 'team', id, spend_nano: 0, seeded: true })),
          ...body.memberships.map((m) => ({
            kind: 'member',
            id: `${m.team_id}:${m.user_id}`,
            spend_nano: 0,
            seeded: true,
          })),
        ];
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 200 ? { counters } : { error: { message: 'down' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    calls = [];
    status = 200;
  });

  const seeder = () => createCounterSeeder({ spendUrl: url, internalSecret: 'x'.repeat(32), logger });

  test('when 30 requests need seeds in the same tick, then one bulk call carries all their scopes', async () => {
    const seed = seeder();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => seed([scope('key', `k${i}`), scope('team', 't1')])),
    );
    expect(calls).toEqual([
      {
        path: INTERNAL_ROUTES.spendCounterSeedMany,
        body: {
          key_hashes: Array.from({ length: 30 }, (_, i) => `k${i}`),
          user_ids: [],
          team_ids: ['t1'],
          memberships: [],
        },
      },
    ]);
  });

  test('when a membership is seeded, then it is sent as its team and user (a user id may hold colons)', async () => {
    await seeder()([scope('member', 't1:user:with:colons'), scope('user', 'user:with:colons')]);
    expect(calls.map((c) => c.body)).toEqual([
      {
        key_hashes: [],
        user_ids: ['user:with:colons'],
        team_ids: [],
        memberships: [{ team_id: 't1', user_id: 'user:with:colons' }],
      },
    ]);
  });

  test('when 1500 keys need seeds at once, then they go in calls of at most 1000', async () => {
    const seed = seeder();
    await Promise.all(Array.from({ length: 1500 }, (_, i) => seed([scope('key', `k${i}`)])));
    expect(calls.map((c) => c.body.key_hashes.length)).toEqual([1000, 500]);
  });

  test('when a seed was sent and answered, then the next need for it is a new call', async () => {
    const seed = seeder();
    await seed([scope('key', 'k1')]);
    await seed([scope('key', 'k1')]);
    expect(calls.map((c) => c.body.key_hashes)).toEqual([['k1'], ['k1']]);
  });

  test('when the spend service fails, then every waiting request is refused with the 503 of the limits store', async () => {
    status = 500;
    const seed = seeder();
    const results = await Promise.allSettled([seed([scope('key', 'a')]), seed([scope('key', 'b')])]);
    expect(calls).toHaveLength(1);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const err = (r as PromiseRejectedResult).reason;
      expect(isProxyError(err) && err.status).toBe(503);
      expect(isProxyError(err) && err.toBody()).toEqual({
        error: {
          message:
            'rate limits and budgets cannot be checked right now (Redis or the spend service is unreachable), retry shortly',
          type: 'service_unavailable',
          param: null,
          code: '503',
        },
      });
    }
  });
});
