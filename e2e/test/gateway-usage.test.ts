import { createHash } from 'node:crypto';
import http from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const waitFor = async <T>(fn: () => Promise<T | null | undefined>, ms = 5000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** Upstreams that send no usage: the gateway counts tokens itself and still charges every call. */
describe('usage when the upstream sends none', () => {
  let stack: Stack;
  let redis: Redis;
  let queue: Queue;

  beforeAll(async () => {
    stack = await startStack({ MOCK_NO_USAGE: '1', MOCK_CHUNK_DELAY_MS: '40' });
    redis = new Redis(stack.redisUrl);
    queue = new Queue('spend', { connection: redis, prefix: `${stack.redisPrefix}bull` });
  });
  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    await stack?.stop();
  });

  const newKey = async () => {
    const res = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body: { max_budget: 10 } });
    return (res.body as { key: string }).key;
  };
  const counterUsd = async (key: string) =>
    Number((await redis.get(`${stack.redisPrefix}lim:key:${sha256(key)}:spend`)) ?? 0) / 1e9;

  it('when a JSON answer has no usage, then the tokens are counted with the tokenizer and charged', async () => {
    const key = await newKey();
    const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key,
      body: {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
        mock_response: 'one two three four',
      },
    });
    expect(res.status).toBe(200);
    expect((res.body as Record<string, unknown>).usage).toBeUndefined();
    // The counted cost is in the header too, the same that is charged below.
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBeCloseTo(1e-6 * 1 + 2e-6 * 4, 15);
    const callId = res.headers.get('x-litellm-call-id') as string;
    const job = await waitFor(() => queue.getJob(callId));
    // One event per job here: the batch of a single call.
    expect(job.name).toBe('spend-batch');
    expect(job.data.events).toHaveLength(1);
    expect(job.data.events[0]).toEqual({
      callId,
      requestId: (res.body as { id: string }).id,
      keyHash: sha256(key),
      userId: null,
      teamId: null,
      model: 'gpt-4o',
      modelGroup: 'gpt-4o',
      apiBase: `http://127.0.0.1:${stack.ports['mock-llm']}/v1`,
      callType: 'acompletion',
      promptTokens: 1,
      completionTokens: 4,
      cost: 1e-6 * 1 + 2e-6 * 4,
      startTime: expect.any(String),
      endTime: expect.any(String),
      completionStartTime: null,
      status: 'success',
      endUser: null,
      modelId: 'gpt-4o-0',
      customLlmProvider: 'openai',
      keyAlias: null,
      keyName: `sk-...${key.slice(-4)}`,
      teamAlias: null,
      organizationId: null,
    });
    expect(await waitFor(async () => ((await counterUsd(key)) === 9e-6 ? 1 : null))).toBe(1);
  });

  it('when the client aborts a stream, then what was generated until then is still charged', async () => {
    const key = await newKey();
    const payload = JSON.stringify({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
      mock_response: 'alpha beta gamma delta epsilon zeta eta theta iota kappa',
    });
    const callId = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${stack.gatewayUrl}/v1/chat/completions`,
        { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
        (res) => {
          let frames = 0;
          res.on('data', (c: Buffer) => {
            frames += c
              .toString()
              .split('\n\n')
              .filter((f) => f.includes('"content":"')).length;
            if (frames >= 3) {
              req.destroy();
              resolve(String(res.headers['x-litellm-call-id']));
            }
          });
        },
      );
      req.on('error', () => {});
      req.end(payload);
      setTimeout(() => reject(new Error('no frames')), 5000);
    });
    const job = await waitFor(() => queue.getJob(callId));
    const event = job.data.events[0];
    expect(event.promptTokens).toBe(1);
    // Three or four words had been generated when the client left; none of the later ones are charged.
    expect(event.completionTokens).toBeGreaterThanOrEqual(2);
    expect(event.completionTokens).toBeLessThanOrEqual(5);
    expect(event.cost).toBeCloseTo(1e-6 + 2e-6 * event.completionTokens, 12);
    expect(
      await waitFor(async () => ((await counterUsd(key)) > 0 ? await counterUsd(key) : null)),
    ).toBeCloseTo(event.cost, 12);
  });
});
