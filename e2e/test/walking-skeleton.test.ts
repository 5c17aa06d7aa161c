import { generatedKey, sha256 } from '@llmgw/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { call, MASTER_KEY, type Stack, sseData, startStack } from '../src/stack';

describe('walking skeleton: gateway -> keys -> Postgres/Redis -> mock-llm, each app its own process', () => {
  let stack: Stack;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('POST /key/generate with the master key', () => {
    it('when the master key asks for a key, then the LiteLLM response comes back and only the sha256 is stored', async () => {
      const res = await call(`${stack.gatewayUrl}/key/generate`, {
        key: MASTER_KEY,
        body: {
          models: ['gpt-4o', 'text-embedding-3-small'],
          key_alias: 'e2e-skeleton',
          metadata: { team: 'qa' },
        },
      });
      expect(res.status).toBe(200);
      const body = res.body as Record<string, unknown>;
      key = body.key as string;
      expect(key).toMatch(/^sk-[A-Za-z0-9_-]{22}$/);
      expect(body).toEqual(
        generatedKey(key, {
          key_alias: 'e2e-skeleton',
          models: ['gpt-4o', 'text-embedding-3-small'],
          metadata: { team: 'qa' },
        }),
      );

      const client = new pg.Client({ connectionString: stack.database.url });
      await client.connect();
      try {
        const { rows } = await client.query('select * from keys.verification_tokens');
        expect(rows).toHaveLength(1);
        expect(rows[0].token).toBe(sha256(key));
        // The raw key appears in no column of the row.
        expect(JSON.stringify(rows[0])).not.toContain(key);
      } finally {
        await client.end();
      }
    });

    it('when the key was generated, then its auth record is already in Redis (write-through)', async () => {
      const redis = new Redis(stack.redisUrl);
      try {
        const json = await redis.get(`${stack.redisPrefix}auth:rec:${sha256(key)}`);
        expect(JSON.parse(json ?? 'null')).toMatchObject({
          found: true,
          token: sha256(key),
          models: ['gpt-4o', 'text-embedding-3-small'],
        });
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('GET /v1/models', () => {
    it('when called with the key, then the configured models the key may use are listed', async () => {
      const res = await call(`${stack.gatewayUrl}/v1/models`, { key });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        data: [
          { id: 'gpt-4o', object: 'model', created: 1677610602, owned_by: 'openai' },
          { id: 'text-embedding-3-small', object: 'model', created: 1677610602, owned_by: 'openai' },
        ],
        object: 'list',
      });
    });

    it('when called with the master key, then every configured model is listed', async () => {
      const res = await call(`${stack.gatewayUrl}/models`, { key: MASTER_KEY });
      expect(res.status).toBe(200);
      expect((res.body as { data: { id: string }[] }).data.map((m) => m.id)).toEqual([
        'gpt-4o',
        'gpt-4o-mini',
        'text-embedding-3-small',
      ]);
    });
  });

  describe('POST /v1/chat/completions', () => {
    it('when called with JSON, then the upstream completion is returned with LiteLLM headers', async () => {
      const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
        key,
        body: {
          model: 'gpt-4o',
          messages: [{ role: 'user', content: 'Say hello' }],
          mock_response: 'Hello there friend',
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^chatcmpl-/),
        object: 'chat.completion',
        created: expect.any(Number),
        model: 'gpt-4o',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'Hello there friend' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
      });
      expect(res.headers.get('x-litellm-call-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('x-litellm-model-group')).toBe('gpt-4o');
      expect(res.headers.get('x-request-id')).toBeTruthy();
      // LiteLLM's header set: the gateway's own, then the upstream's again as llm_provider-<name> (hop-by-hop
      // headers and cookies left out).
      const length = String(Buffer.byteLength(res.text));
      const date = expect.stringMatching(/ GMT$/);
      expect(Object.fromEntries(res.headers)).toEqual({
        connection: 'keep-alive',
        'content-length': length,
        'content-type': 'application/json',
        date,
        'keep-alive': 'timeout=65',
        'llm_provider-content-length': length,
        'llm_provider-content-type': 'application/json',
        'llm_provider-date': date,
        'x-litellm-attempted-retries': '0',
        'x-litellm-call-id': res.headers.get('x-litellm-call-id'),
        'x-litellm-key-spend': '0',
        'x-litellm-model-api-base': `http://127.0.0.1:${stack.ports['mock-llm']}/v1`,
        'x-litellm-model-group': 'gpt-4o',
        'x-litellm-model-id': 'gpt-4o-0',
        'x-litellm-overhead-duration-ms': expect.stringMatching(/^\d+$/),
        'x-litellm-response-cost': String(3 * 1e-6 + 3 * 2e-6),
        'x-litellm-response-duration-ms': expect.stringMatching(/^\d+$/),
        'x-litellm-version': '0.1.0',
        'x-request-id': res.headers.get('x-request-id'),
      });
    });

    it('when called with stream: true, then SSE frames arrive and end with data: [DONE]', async () => {
      const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
        key,
        body: {
          model: 'gpt-4o',
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
          mock_response: 'one two three',
        },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const frames = sseData(res.text);
      expect(frames.at(-1)).toBe('[DONE]');
      const chunks = frames.slice(0, -1).map((f) => JSON.parse(f));
      const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      expect(content).toBe('one two three');
      // The gateway asked the upstream for usage, so the final chunk carries it.
      expect(chunks.at(-1).usage).toEqual({ prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 });
    });

    it('when the key may not use the model, then 401 key_model_access_denied', async () => {
      const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
        key,
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message:
            "key not allowed to access model. This key can only access models=['gpt-4o', 'text-embedding-3-small']. Tried to access gpt-4o-mini",
          type: 'key_model_access_denied',
          param: 'model',
          code: '401',
        },
      });
    });
  });

  describe('bad keys get the wire contract §5 bodies', () => {
    it('when no key is sent, then 401 "No api key passed in."', async () => {
      const res = await call(`${stack.gatewayUrl}/v1/models`);
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

    it('when Authorization has no Bearer prefix, then 401 malformed', async () => {
      const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
        headers: { authorization: key },
        body: { model: 'gpt-4o', messages: [] },
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message: 'Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.',
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      });
    });

    it('when an unknown sk- key is sent, then 401 token_not_found_in_db', async () => {
      const unknown = 'sk-unknownunknownunknown';
      const res = await call(`${stack.gatewayUrl}/v1/chat/completions`, {
        key: unknown,
        body: { model: 'gpt-4o', messages: [] },
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message: `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...nown, Key Hash (Token) =${sha256(unknown)}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
          type: 'token_not_found_in_db',
          param: 'key',
          code: '401',
        },
      });
    });

    it('when a key without the sk- prefix is sent, then 401 and the key is not echoed back', async () => {
      const res = await call(`${stack.gatewayUrl}/v1/models`, { key: 'not-a-virtual-key-1234' });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message:
            "Authentication Error, LiteLLM Virtual Key expected. Received=not...1234, expected to start with 'sk-'.",
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      });
    });

    it('when a management route is called with an unknown key, then the same 401 comes from the gateway', async () => {
      const res = await call(`${stack.gatewayUrl}/key/generate`, { key: 'sk-nope-nope-nope-nope', body: {} });
      expect(res.status).toBe(401);
      expect((res.body as { error: { type: string } }).error.type).toBe('token_not_found_in_db');
    });

    it('when a client forges the internal principal header, then the service still sees only the gateway-signed one', async () => {
      const res = await call(`${stack.gatewayUrl}/key/generate`, {
        headers: { 'x-llmgw-principal': 'forged.1.abc' },
        body: {},
      });
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

    it('when a service is called directly without the gateway, then 401', async () => {
      const res = await call(`${stack.apps.keys.baseUrl}/key/generate`, { body: {} });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message: 'Authentication Error, missing internal principal. Call this service through the gateway.',
          type: 'auth_error',
          param: 'None',
          code: '401',
        },
      });
    });
  });

  describe('health', () => {
    it('when every app runs, then each answers liveliness and readiness with its dependencies connected', async () => {
      for (const [name, app] of Object.entries(stack.apps)) {
        const live = await call(`${app.baseUrl}/health/liveliness`);
        expect({ name, status: live.status, body: live.body }).toEqual({
          name,
          status: 200,
          body: "I'm alive!",
        });
        const ready = await call(`${app.baseUrl}/health/readiness`);
        expect({ name, status: ready.status }).toEqual({ name, status: 200 });
      }
      const keysReady = await call(`${stack.apps.keys.baseUrl}/health/readiness`);
      expect(keysReady.body).toEqual({
        status: 'healthy',
        db: 'connected',
        cache: 'connected',
        version: '0.1.0',
      });
    });
  });
});
