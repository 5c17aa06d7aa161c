import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

/** A regenerated key is the same key with a new secret: its spend and budget come along. */
const chat = {
  model: 'gpt-4o',
  max_tokens: 2,
  messages: [{ role: 'user', content: 'hi' }],
  mock_response: 'a b',
};
const COST = 1e-6 + 2 * 2e-6;

describe('POST /key/regenerate and spend', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('when a key over its budget is regenerated, then the new key is still over budget and shows the spend', async () => {
    const gen = await call(`${stack.gatewayUrl}/key/generate`, {
      key: MASTER_KEY,
      body: { max_budget: COST },
    });
    const key = (gen.body as { key: string }).key;
    expect((await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat })).status).toBe(200);
    // Wait until the spend service has the call (the truth the copy reads).
    for (let i = 0; i < 50; i++) {
      const info = await call(`${stack.gatewayUrl}/key/info?key=${key}`, { key: MASTER_KEY });
      if ((info.body as { info: { spend: number } }).info.spend > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const regen = await call(`${stack.gatewayUrl}/key/regenerate`, { key: MASTER_KEY, body: { key } });
    expect(regen.status).toBe(200);
    const fresh = (regen.body as { key: string }).key;

    const refused = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key: fresh, body: chat });
    expect(refused.status).toBe(400);
    expect((refused.body as { error: { type: string } }).error.type).toBe('budget_exceeded');
    const info = await call(`${stack.gatewayUrl}/key/info?key=${fresh}`, { key: MASTER_KEY });
    expect((info.body as { info: { spend: number } }).info.spend).toBeCloseTo(COST, 12);
    const old = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body: chat });
    expect(old.status).toBe(401);
  });
});
