import http from 'node:http';
import { freePort } from '@llmgw/testing';
import OpenAI from 'openai';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

/** LiteLLM's `mock_response` body param (not in OpenAI's types) picks mock-llm's reply. */
const withMock = <T extends object>(body: T, text: string): T => ({ ...body, mock_response: text });

/**
 * The official `openai` npm client against the gateway: chat, streaming, embeddings, models, and errors
 * arriving as the SDK's error classes with status/code/type/param as from OpenAI.
 */
describe('the openai SDK against the gateway', () => {
  let stack: Stack;
  let client: OpenAI;
  let errors: http.Server;
  let deadPort: number;

  beforeAll(async () => {
    // An upstream that always answers 429 in OpenAI's error shape, and a port where nothing listens.
    errors = http.createServer((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '0' });
      res.end(
        JSON.stringify({
          error: {
            message: 'Rate limit reached for gpt-4o',
            type: 'requests',
            param: null,
            code: 'rate_limit_exceeded',
          },
        }),
      );
    });
    await new Promise<void>((r) => errors.listen(0, '127.0.0.1', () => r()));
    deadPort = await freePort();
    const errPort = (errors.address() as { port: number }).port;
    stack = await startStack(
      {},
      {
        extraModelsYaml: `  - model_name: always-429
    litellm_params:
      model: openai/gpt-4o
      api_base: http://127.0.0.1:${errPort}/v1
  - model_name: nowhere
    litellm_params:
      model: openai/gpt-4o
      api_base: http://127.0.0.1:${deadPort}/v1
`,
      },
    );
    const gen = await call(`${stack.gatewayUrl}/key/generate`, {
      key: MASTER_KEY,
      body: { models: ['gpt-4o', 'text-embedding-3-small', 'always-429', 'nowhere'] },
    });
    client = new OpenAI({
      apiKey: (gen.body as { key: string }).key,
      baseURL: `${stack.gatewayUrl}/v1`,
      maxRetries: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => errors.close(r));
  });

  it('when chat.completions.create is called, then the completion comes back typed', async () => {
    const completion = await client.chat.completions.create(
      withMock({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, 'hello from the gateway'),
    );
    expect(completion.choices[0]?.message).toEqual({ role: 'assistant', content: 'hello from the gateway' });
    expect(completion.usage).toEqual({ prompt_tokens: 1, completion_tokens: 4, total_tokens: 5 });
  });

  it('when streaming with for await, then the chunks arrive and the stream ends', async () => {
    const stream = await client.chat.completions.create(
      withMock(
        { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] },
        'one two three',
      ),
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('one two three');
  });

  it('when embeddings.create is called, then vectors come back', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding).toHaveLength(8);
    expect(res.model).toBe('text-embedding-3-small');
  });

  it('when models.list is called, then the key’s models are listed', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['gpt-4o', 'text-embedding-3-small', 'always-429', 'nowhere']);
  });

  it('when the key may not use a model, then AuthenticationError carries status, code, type and param', async () => {
    const err = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    const e = err as InstanceType<typeof OpenAI.AuthenticationError>;
    expect({ status: e.status, code: e.code, type: e.type, param: e.param }).toEqual({
      status: 401,
      code: '401',
      type: 'key_model_access_denied',
      param: 'model',
    });
  });

  it('when the model does not exist, then BadRequestError with the contract message', async () => {
    const open = new OpenAI({ apiKey: MASTER_KEY, baseURL: `${stack.gatewayUrl}/v1`, maxRetries: 0 });
    const err = await open.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect({ status: e.status, code: e.code, type: e.type, param: e.param, message: e.message }).toEqual({
      status: 400,
      code: '400',
      type: 'None',
      param: 'None',
      message:
        "400 {'error': '/chat/completions: Invalid model name passed in model=no-such-model. Call `/v1/models` to view available models for your key.'}",
    });
  });

  it('when the upstream answers 429, then the SDK gets RateLimitError with the upstream body', async () => {
    const err = await client.chat.completions
      .create({ model: 'always-429', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect({ status: e.status, code: e.code, type: e.type, param: e.param, message: e.message }).toEqual({
      status: 429,
      code: 'rate_limit_exceeded',
      type: 'requests',
      param: null,
      message: '429 Rate limit reached for gpt-4o',
    });
  });

  it('when the upstream is unreachable, then 502 api_connection_error naming the model', async () => {
    const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key: client.apiKey ?? undefined,
      body: { model: 'nowhere', messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      error: {
        message: `upstream for model nowhere at http://127.0.0.1:${deadPort}/v1 is unreachable: ECONNREFUSED`,
        type: 'api_connection_error',
        param: null,
        code: '502',
      },
    });
  });
});
