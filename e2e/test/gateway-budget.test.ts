import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/**
 * Budgets are reserved before the call (one Lua script), so concurrent requests cannot overrun a budget
 * by more than one request's estimate. Prices (e2e config): input 1e-6, output 2e-6 USD per token.
 * Each request: prompt "hi" (1 token) + 4 completion tokens = 9e-6 USD.
 */
const COST = 1e-6 * 1 + 2e-6 * 4;
const chat = {
  model: 'gpt-4o',
  max_tokens: 4,
  messages: [{ role: 'user', content: 'hi' }],
  mock_response: 'a b c d',
};

async function hammer(urls: string[], key: string, n: number) {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      call(`${urls[i % urls.length]}/v1/chat/completions`, { key, body: chat }),
    ),
  );
}

async function counterUsd(stack: Stack, key: string): Promise<number> {
  const redis = new Redis(stack.redisUrl);
  try {
    return Number(await redis.get(`${stack.redisPrefix}lim:key:${sha256(key)}:spend`)) / 1e9;
  } finally {
    redis.disconnect();
  }
}

describe('budgets under concurrency', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const newKey = async (maxBudget: number) => {
    const res = await call(`${stack.gatewayUrl}/key/generate`, {
      key: MASTER_KEY,
      body: { max_budget: maxBudget },
    });
    expect(res.status).toBe(200);
    return (res.body as { key: string }).key;
  };

  for (const replicas of [1, 2]) {
    it(`when 300 concurrent requests hit a key whose budget covers exactly 10 (${replicas} gateway${replicas > 1 ? 's' : ''}), then at most 11 succeed, the rest get budget_exceeded, and the spend counter equals the successful costs`, async () => {
      const key = await newKey(10 * COST);
      const urls = [stack.gatewayUrl];
      if (replicas === 2) urls.push((await stack.startGateway()).baseUrl);
      const results = await hammer(urls, key, 300);
      const ok = results.filter((r) => r.status === 200);
      const rejected = results.filter((r) => r.status !== 200);
      console.log(`${replicas} replica(s): ${ok.length} of 300 admitted`);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(ok.length).toBeLessThanOrEqual(11);
      for (const r of rejected) {
        expect(r.status).toBe(400);
        expect(r.body).toEqual({
          error: {
            message: expect.stringMatching(
              /^Budget has been exceeded! Current cost: [0-9.e-]+, Max budget: [0-9.e-]+$/,
            ),
            type: 'budget_exceeded',
            param: null,
            code: '400',
          },
        });
      }
      const charged = ok.reduce((sum, r) => sum + Number(r.headers.get('x-litellm-response-cost')), 0);
      expect(charged).toBeCloseTo(ok.length * COST, 12);
      // Settling happens right after each response; give the last settle a moment.
      await new Promise((r) => setTimeout(r, 200));
      expect(await counterUsd(stack, key)).toBeCloseTo(charged, 12);
      // And the durable record: one spend log per admitted call, summing to what was charged.
      let logs: { spend: number }[] = [];
      for (let i = 0; i < 50 && logs.length < ok.length; i++) {
        const res = await call(`${stack.gatewayUrl}/spend/logs?api_key=${key}`, { key: MASTER_KEY });
        logs = Array.isArray(res.body) ? (res.body as { spend: number }[]) : [];
        if (logs.length < ok.length) await new Promise((r) => setTimeout(r, 100));
      }
      expect(logs).toHaveLength(ok.length);
      expect(logs.reduce((sum, l) => sum + l.spend, 0)).toBeCloseTo(charged, 12);
    });
  }

  it('when a key has max_budget 0, then the first call fails with the contract body', async () => {
    const key = await newKey(0);
    const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: 'Budget has been exceeded! Current cost: 0.0, Max budget: 0.0',
        type: 'budget_exceeded',
        param: null,
        code: '400',
      },
    });
  });
});
