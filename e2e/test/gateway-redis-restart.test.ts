import { type OwnRedis, startOwnRedis } from '@llmgw/testing';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

/**
 * Budget counters live in Redis, their truth in Postgres. After Redis loses everything (restart without
 * persistence), the gateway has the spend service seed the counters from Postgres again, so a key that
 * was over budget stays blocked instead of starting from zero.
 */
const chat = {
  model: 'gpt-4o',
  max_tokens: 2,
  messages: [{ role: 'user', content: 'hi' }],
  mock_response: 'a b',
};
const COST = 1e-6 + 2 * 2e-6;

describe('budget counters across a Redis restart', () => {
  let redis: OwnRedis;
  let stack: Stack;

  beforeAll(async () => {
    redis = await startOwnRedis();
    stack = await startStack({ AUTH_WARM_CHECK_MS: '200' }, { redisUrl: redis.url });
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  it('when Redis restarts empty, then a key over budget is still refused with budget_exceeded', async () => {
    const gen = await call(`${stack.gatewayUrl}/key/generate`, {
      key: MASTER_KEY,
      body: { max_budget: COST },
    });
    expect(gen.status).toBe(200);
    const key = (gen.body as { key: string }).key;
    const first = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    expect(first.status).toBe(200);
    const requestId = (first.body as { id: string }).id;
    // The spend service has the call in Postgres (the truth) before Redis goes away.
    for (let i = 0; i < 100; i++) {
      const logs = await call(`${stack.gatewayUrl}/spend/logs?request_id=${requestId}`, { key: MASTER_KEY });
      if (Array.isArray(logs.body) && logs.body.length === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    expect(before.status).toBe(400);

    await redis.restart();
    const started = Date.now();
    let after = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    // While the apps reconnect and the keys service re-warms, answers may be 503; never a 200.
    while (after.status === 503 && Date.now() - started < 20_000) {
      await new Promise((r) => setTimeout(r, 200));
      after = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    }
    console.log(`first non-503 answer ${Date.now() - started} ms after the Redis restart`);
    expect(after.status).toBe(400);
    expect(after.body).toEqual({
      error: {
        message: expect.stringMatching(
          /^Budget has been exceeded! Current cost: [0-9.e-]+, Max budget: [0-9.e-]+$/,
        ),
        type: 'budget_exceeded',
        param: null,
        code: '400',
      },
    });
  });
});
