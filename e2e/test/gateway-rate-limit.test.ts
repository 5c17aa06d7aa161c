import { createHash } from 'node:crypto';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const chat = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], mock_response: 'ok' };

describe('rate limits across gateway replicas', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('when the rpm limit is reached, then 429 with the contract body and retry-after headers', async () => {
    const gen = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body: { rpm_limit: 2 } });
    const key = (gen.body as { key: string }).key;
    const first = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-api_key-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-api_key-remaining-requests')).toBe('1');
    expect(first.headers.get('x-litellm-key-rpm-limit')).toBe('2');
    await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    const third = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    expect(third.status).toBe(429);
    expect(third.body).toEqual({
      error: {
        message: expect.stringMatching(
          new RegExp(
            `^Rate limit exceeded for api_key: ${sha256(key)}\\. Limit type: requests\\. Current limit: 2, Remaining: 0\\. Limit resets at: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$`,
          ),
        ),
        type: 'None',
        param: 'None',
        code: '429',
      },
    });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(third.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(third.headers.get('rate_limit_type')).toBe('requests');
    expect(third.headers.get('reset_at')).toMatch(/ UTC$/);
  });

  it('when a key with rpm_limit 20 is hammered from two replicas for 65 s, then any 60 s window admits 20 to 22', async () => {
    const gen = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body: { rpm_limit: 20 } });
    const key = (gen.body as { key: string }).key;
    const second = await stack.startGateway();
    const urls = [stack.gatewayUrl, second.baseUrl];
    const admitted: number[] = [];
    let other = 0;
    const started = Date.now();
    // ~20 requests per second in total, bounded in time.
    while (Date.now() - started < 65_000) {
      const batch = await Promise.all(urls.map((u) => call(`${u}/v1/chat/completions`, { key, body: chat })));
      const at = Date.now();
      for (const r of batch) {
        if (r.status === 200) admitted.push(at);
        else if (r.status !== 429) other++;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(other).toBe(0);
    let maxInWindow = 0;
    for (const t of admitted) {
      maxInWindow = Math.max(maxInWindow, admitted.filter((u) => u >= t && u < t + 60_000).length);
    }
    console.log(
      `rpm_limit 20 over 65 s on 2 replicas: ${admitted.length} admitted, max ${maxInWindow} in any 60 s window`,
    );
    expect(maxInWindow).toBeGreaterThanOrEqual(20);
    expect(maxInWindow).toBeLessThanOrEqual(22);
  }, 120_000);
});
