import { createHash } from 'node:crypto';
import http from 'node:http';
import { freePort } from '@llmgw/testing';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const hi = [{ role: 'user', content: 'hi' }];

describe('gateway routes and upstream failures', () => {
  let stack: Stack;
  let silent: http.Server;
  let broken: http.Server;
  let deadPort: number;

  beforeAll(async () => {
    // An upstream that accepts the request and never answers.
    silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const silentPort = (silent.address() as { port: number }).port;
    // An upstream that starts a JSON answer and drops the connection halfway through it.
    broken = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"chatcmpl-half",');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', () => r()));
    const brokenPort = (broken.address() as { port: number }).port;
    deadPort = await freePort();
    stack = await startStack(
      { UPSTREAM_TIMEOUT_MS: '500', MAX_LLM_BODY_BYTES: '2048', MAX_INFLIGHT_BODY_BYTES: '2500' },
      {
        extraModelsYaml: `  - model_name: multi
    litellm_params:
      model: openai/gpt-4o
      api_base: http://127.0.0.1:${deadPort}/v1
  - model_name: multi
    litellm_params:
      model: openai/gpt-4o
      api_base: http://127.0.0.1:__MOCK__/v1
      api_key: os.environ/MOCK_LLM_API_KEY
  - model_name: half
    litellm_params:
      model: openai/gpt-4o
      api_base: http://127.0.0.1:${brokenPort}/v1
  - model_name: half
    litellm_params:
      model: openai/gpt-4o
      api_base: http://127.0.0.1:__MOCK__/v1
      api_key: os.environ/MOCK_LLM_API_KEY
  - model_name: silent
    litellm_params:
      model: openai/gpt-4o
      api_base: http://127.0.0.1:${silentPort}/v1
`,
      },
    );
  });
  afterAll(async () => {
    await stack?.stop();
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
    broken.closeAllConnections();
    await new Promise((r) => broken.close(r));
  });

  it('when a deployment of a model group is unreachable, then the call is retried on the next one', async () => {
    const statuses: number[] = [];
    const retries: (string | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
        key: MASTER_KEY,
        body: { model: 'multi', messages: hi, mock_response: 'ok' },
      });
      statuses.push(res.status);
      retries.push(res.headers.get('x-litellm-attempted-retries'));
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    // Round robin starts at the dead deployment every other call.
    expect(retries.sort()).toEqual(['0', '0', '1', '1']);
  });

  it('when a deployment breaks off in the middle of its answer, then the call is not sent again to another one', async () => {
    const answers: { status: number; body: unknown }[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
        key: MASTER_KEY,
        body: { model: 'half', messages: hi, mock_response: 'ok' },
      });
      answers.push({ status: res.status, body: res.status === 200 ? null : res.body });
    }
    // Round robin gives each deployment one call; the broken one already did the work, so no retry.
    expect(answers.sort((a, b) => a.status - b.status)).toEqual([
      { status: 200, body: null },
      {
        status: 502,
        body: {
          error: {
            message: 'upstream for model half closed the connection mid-response',
            type: 'api_connection_error',
            param: null,
            code: '502',
          },
        },
      },
    ]);
  });

  it('when the upstream does not answer in time, then 504 with a clear message', async () => {
    const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key: MASTER_KEY,
      body: { model: 'silent', messages: hi },
    });
    expect(res.status).toBe(504);
    expect(res.body).toEqual({
      error: {
        message: 'upstream for model silent did not answer within 500 ms',
        type: 'timeout_error',
        param: null,
        code: '504',
      },
    });
  });

  it('when the bodies in flight would pass MAX_INFLIGHT_BODY_BYTES, then 503 until a call holding one is done', async () => {
    const big = [{ role: 'user', content: 'x'.repeat(1400) }];
    // Held until the silent upstream times out (500 ms).
    const held = call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key: MASTER_KEY,
      body: { model: 'silent', messages: big },
    });
    await new Promise((r) => setTimeout(r, 150));
    const refused = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key: MASTER_KEY,
      body: { model: 'gpt-4o', messages: big, mock_response: 'ok' },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toEqual({
      error: {
        message:
          'the gateway is holding too many request bodies right now (MAX_INFLIGHT_BODY_BYTES), retry shortly',
        type: 'service_unavailable',
        param: null,
        code: '503',
      },
    });
    expect((await held).status).toBe(504);
    const after = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key: MASTER_KEY,
      body: { model: 'gpt-4o', messages: big, mock_response: 'ok' },
    });
    expect(after.status).toBe(200);
  });

  it('when the body is not JSON, then 400 invalid_request_error before auth', async () => {
    const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, { body: '{"model": ' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: expect.stringMatching(/^Invalid JSON payload: /),
        type: 'invalid_request_error',
        param: 'request_body',
        code: '400',
      },
    });
  });

  it('when the body is over the limit, then 413', async () => {
    const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key: MASTER_KEY,
      body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'x'.repeat(5000) }] },
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: {
        message: 'request body is larger than the limit of 2048 bytes',
        type: 'invalid_request_error',
        param: 'request_body',
        code: '413',
      },
    });
  });

  it('when the model is unknown, then the contract 400', async () => {
    const res = await call(`${stack.gatewayUrl}/chat/completions`, {
      key: MASTER_KEY,
      body: { model: 'nope', messages: hi },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message:
          "{'error': '/chat/completions: Invalid model name passed in model=nope. Call `/v1/models` to view available models for your key.'}",
        type: 'None',
        param: 'None',
        code: '400',
      },
    });
  });

  it('when the key has expired, then 400 expired_key with the hash as param', async () => {
    const gen = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body: { duration: '1s' } });
    expect(gen.status).toBe(200);
    const key = (gen.body as { key: string }).key;
    await new Promise((r) => setTimeout(r, 1100));
    const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
      key,
      body: { model: 'gpt-4o', messages: hi },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: expect.stringMatching(
          /^Authentication Error - Expired Key\. Key Expiry time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00 and current time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$/,
        ),
        type: 'expired_key',
        param: sha256(key),
        code: '400',
      },
    });
  });

  it('when the engines alias is used, then the model comes from the path', async () => {
    const res = await call(`${stack.gatewayUrl}/engines/gpt-4o/chat/completions`, {
      key: MASTER_KEY,
      body: { messages: hi, mock_response: 'via engines' },
    });
    expect(res.status).toBe(200);
    expect((res.body as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(
      'via engines',
    );
  });

  it('when /model/info is called, then deployments are listed without their api keys', async () => {
    const res = await call(`${stack.gatewayUrl}/model/info`, { key: MASTER_KEY });
    expect(res.status).toBe(200);
    const data = (res.body as { data: { model_name: string; litellm_params: Record<string, unknown> }[] })
      .data;
    expect(data.map((d) => d.model_name)).toEqual([
      'gpt-4o',
      'gpt-4o-mini',
      'text-embedding-3-small',
      'multi',
      'multi',
      'half',
      'half',
      'silent',
    ]);
    expect(res.text).not.toContain('api_key');
    expect(res.text).not.toContain(stack.env.MOCK_LLM_API_KEY);
    expect(data[0]).toEqual({
      model_name: 'gpt-4o',
      litellm_params: { model: 'openai/gpt-4o', api_base: `http://127.0.0.1:${stack.ports['mock-llm']}/v1` },
      model_info: {
        id: 'gpt-4o-0',
        db_model: false,
        input_cost_per_token: 0.000001,
        output_cost_per_token: 0.000002,
        rpm: null,
        tpm: null,
      },
    });
  });

  it('when /health is called, then each upstream is probed', async () => {
    const res = await call(`${stack.gatewayUrl}/health?model=multi`, { key: MASTER_KEY });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      healthy_endpoints: [
        { model: 'multi', model_id: 'multi-4', api_base: `http://127.0.0.1:${stack.ports['mock-llm']}/v1` },
      ],
      unhealthy_endpoints: [
        {
          model: 'multi',
          model_id: 'multi-3',
          api_base: `http://127.0.0.1:${deadPort}/v1`,
          error: 'ECONNREFUSED',
        },
      ],
      healthy_count: 1,
      unhealthy_count: 1,
    });
  });

  it('when /health is called without a key, then 401', async () => {
    const res = await call(`${stack.gatewayUrl}/health`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: {
        message: 'Authentication Error, No api key passed in.',
        type: 'auth_error',
        param: 'None',
        code: '401',
      },
    });
  });
});
