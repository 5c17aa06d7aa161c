import { call, MASTER_KEY, type Stack, sseData, startStack } from '../src/stack';

/**
 * A config.yaml deployment on this stack's mock-llm (or `apiBase`), with its own rpm when given and an id
 * (else `<name>-<index>`).
 */
const deploymentYaml = (name: string, opts: { rpm?: number; id?: string; apiBase?: string }) =>
  `  - model_name: ${name}
    litellm_params:
      model: openai/gpt-4o
      api_base: ${opts.apiBase ?? 'http://127.0.0.1:__MOCK__/v1'}
      api_key: os.environ/MOCK_LLM_API_KEY
${opts.rpm === undefined ? '' : `      rpm: ${opts.rpm}\n`}${opts.id ? `    model_info:\n      id: ${opts.id}\n` : ''}`;

/** Legacy completions, single-model lookups, team model aliases and per-deployment limits from config. */
describe('more OpenAI routes and config limits', () => {
  let stack: Stack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack(
      {},
      {
        extraModelsYaml:
          deploymentYaml('limited', { rpm: 1 }) +
          deploymentYaml('balanced', { rpm: 1, id: 'balanced-a' }) +
          deploymentYaml('balanced', { rpm: 2, id: 'balanced-b' }) +
          // Port 1 refuses connections: calls there fail before any answer and move on.
          deploymentYaml('failover', { id: 'failover-down', apiBase: 'http://127.0.0.1:1/v1' }) +
          deploymentYaml('failover', { rpm: 1, id: 'failover-small' }) +
          deploymentYaml('failover', { id: 'failover-big' }),
      },
    );
    const gen = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body: {} });
    key = (gen.body as { key: string }).key;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('when /v1/completions is called, then the text completion comes back with usage', async () => {
    const res = await call(`${stack.gatewayUrl}/v1/completions`, {
      key,
      body: { model: 'gpt-4o-mini', prompt: 'Say hi', mock_response: 'hi there' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(String),
      object: 'text_completion',
      created: expect.any(Number),
      model: 'gpt-4o-mini',
      choices: [{ text: 'hi there', index: 0, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
    });
    expect(Number(res.headers.get('x-litellm-response-cost'))).toBeCloseTo(2 * 1e-6 + 2 * 2e-6, 12);
  });

  it('when /v1/completions streams, then the text arrives in frames ending with [DONE]', async () => {
    const res = await call(`${stack.gatewayUrl}/completions`, {
      key,
      body: { model: 'gpt-4o-mini', prompt: 'Say hi', stream: true, mock_response: 'one two' },
    });
    expect(res.status).toBe(200);
    const frames = sseData(res.text);
    expect(frames.at(-1)).toBe('[DONE]');
    const text = frames
      .slice(0, -1)
      .map((f) => JSON.parse(f).choices[0]?.text ?? '')
      .join('');
    expect(text).toBe('one two');
  });

  it('when /v1/models/{id} names a model the key may use, then that model; otherwise 404', async () => {
    const one = await call(`${stack.gatewayUrl}/v1/models/gpt-4o`, { key });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ id: 'gpt-4o', object: 'model', created: 1677610602, owned_by: 'openai' });
    const none = await call(`${stack.gatewayUrl}/v1/models/nope`, { key });
    expect(none.status).toBe(404);
    expect(none.body).toEqual({
      error: { message: 'model nope not found', type: 'not_found_error', param: 'model', code: '404' },
    });
  });

  it('when a deployment has rpm 1 in config.yaml, then the second call in a minute gets 429 naming it', async () => {
    const body = { model: 'limited', messages: [{ role: 'user', content: 'hi' }] };
    expect((await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body })).status).toBe(200);
    const second = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key: MASTER_KEY, body });
    expect(second.status).toBe(429);
    expect((second.body as { error: { message: string; code: string } }).error).toEqual({
      message: expect.stringMatching(
        /^Rate limit exceeded for deployment: limited-3\. Limit type: requests\. Current limit: 1, Remaining: 0\./,
      ),
      type: 'None',
      param: 'None',
      code: '429',
    });
  });

  it('when the picked deployment is at its rpm, then the call goes to the next deployment of the group; 429 when all are full', async () => {
    // A key with its own rpm: each call must count against it once, however many deployments it tried.
    const gen = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body: { rpm_limit: 100 } });
    const limitedKey = (gen.body as { key: string }).key;
    const body = { model: 'balanced', messages: [{ role: 'user', content: 'hi' }] };
    const send = () => call(`${stack.gatewayUrl}/v1/chat/completions`, { key: limitedKey, body });
    // Round-robin picks a, b, a, b; a holds one call a minute, b two.
    const served: (string | null)[] = [];
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await send();
      expect(res.status).toBe(200);
      served.push(res.headers.get('x-litellm-model-id'));
      remaining.push(res.headers.get('x-ratelimit-api_key-remaining-requests'));
    }
    // The third call was a's turn, but a was full: b took it.
    expect(served).toEqual(['balanced-a', 'balanced-b', 'balanced-b']);
    expect(remaining).toEqual(['99', '98', '97']);
    const full = await send();
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect(full.body).toEqual({
      error: {
        message: expect.stringMatching(
          /^Rate limit exceeded for deployment: balanced-a\. Limit type: requests\. Current limit: 1, Remaining: 0\./,
        ),
        type: 'None',
        param: 'None',
        code: '429',
      },
    });
    // The refused call was not counted against the key either.
    const after = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key: limitedKey,
      body: { ...body, model: 'gpt-4o' },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-api_key-remaining-requests')).toBe('96');
  });

  it('when a deployment is unreachable, then the next one with room takes the call, never one at its rpm', async () => {
    const body = { model: 'failover', messages: [{ role: 'user', content: 'hi' }] };
    const served: (string | null)[] = [];
    // Round-robin starts at down, small, big, down: the fourth call fails over from down to small, which
    // is full by then (rpm 1, used by the first), so big takes it.
    for (let i = 0; i < 4; i++) {
      const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, { key, body });
      expect(res.status).toBe(200);
      served.push(res.headers.get('x-litellm-model-id'));
    }
    expect(served).toEqual(['failover-small', 'failover-big', 'failover-big', 'failover-big']);
  });

  it('when a team maps a model alias, then its keys can call the alias and reach the real model', async () => {
    const team = await call(`${stack.gatewayUrl}/team/new`, {
      key: MASTER_KEY,
      body: { team_alias: 'aliases', models: ['gpt-4o'], model_aliases: { 'house-model': 'gpt-4o' } },
    });
    expect(team.status).toBe(200);
    const teamId = (team.body as { team_id: string }).team_id;
    const gen = await call(`${stack.gatewayUrl}/key/generate`, {
      key: MASTER_KEY,
      body: { team_id: teamId },
    });
    const teamKey = (gen.body as { key: string }).key;
    const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key: teamKey,
      body: { model: 'house-model', messages: [{ role: 'user', content: 'hi' }], mock_response: 'aliased' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-model-group')).toBe('gpt-4o');
    expect((res.body as { model: string }).model).toBe('gpt-4o');
  });
});
