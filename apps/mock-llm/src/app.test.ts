import request from 'supertest';
import { Stats } from './stats';
import { mockApp } from './test-support';

const chatBody = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

const MODEL = (id: string) => ({ id, object: 'model', created: 1677610602, owned_by: 'mock-llm' });

describe('health', () => {
  test('when liveliness is asked, then it answers the JSON string "I\'m alive!"', async () => {
    const res = await request(mockApp()).get('/health/liveliness');

    expect(res.status).toBe(200);
    expect(res.body).toBe("I'm alive!");
  });

  test('when readiness is asked, then it answers healthy until shutdown begins', async () => {
    const readiness = { accepting: true };
    const app = mockApp({}, { readiness });

    const ready = await request(app).get('/health/readiness');
    readiness.accepting = false;
    const stopping = await request(app).get('/health/readiness');

    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'healthy' });
    expect(stopping.status).toBe(503);
    expect(stopping.body).toEqual({ status: 'shutting down' });
  });
});

describe('GET /v1/models', () => {
  test('when models are listed, then the default ids come back as OpenAI model objects', async () => {
    const res = await request(mockApp()).get('/v1/models');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      object: 'list',
      data: [MODEL('gpt-4o'), MODEL('gpt-4o-mini'), MODEL('gpt-3.5-turbo'), MODEL('text-embedding-3-small')],
    });
  });

  test('when MOCK_MODELS is set and the alias /models is used, then exactly those ids are listed', async () => {
    const res = await request(mockApp({ MOCK_MODELS: ' a-model , b-model,' })).get('/models');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: 'list', data: [MODEL('a-model'), MODEL('b-model')] });
  });

  test('when one model is asked for, then it answers that model or 404 model_not_found', async () => {
    const app = mockApp();

    const found = await request(app).get('/v1/models/gpt-4o-mini');
    const missing = await request(app).get('/v1/models/nope');

    expect(found.status).toBe(200);
    expect(found.body).toEqual(MODEL('gpt-4o-mini'));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: {
        message: "The model 'nope' does not exist",
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  });
});

describe('request errors', () => {
  const app = mockApp();

  test('when the route is unknown, then it answers 404 in the OpenAI envelope', async () => {
    const res = await request(app).get('/v1/unknown?x=1');

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        message: 'Unknown request URL: GET /v1/unknown',
        type: 'invalid_request_error',
        param: null,
        code: 'not_found',
      },
    });
  });

  test('when a generation route is called with GET, then it answers 404', async () => {
    const res = await request(app).get('/v1/chat/completions');

    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({
      message: 'Unknown request URL: GET /v1/chat/completions',
      type: 'invalid_request_error',
      param: null,
      code: 'not_found',
    });
  });

  test('when the body is not valid JSON, then it answers 400 invalid_json', async () => {
    const res = await request(app)
      .post('/v1/chat/completions')
      .set('content-type', 'application/json')
      .send('{"model": "gpt-4o",');

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: 'We could not parse the JSON body of your request. The body must be valid JSON.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_json',
      },
    });
  });

  test('when the body is JSON but not an object, then it answers 400', async () => {
    const res = await request(app).post('/v1/chat/completions').send([1, 2]);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: 'The body of your request must be a JSON object.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_json',
      },
    });
  });

  test('when model is missing, then it answers 400 naming model', async () => {
    const res = await request(app).post('/v1/chat/completions').send({ messages: chatBody.messages });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: "Missing required parameter: 'model'.",
        type: 'invalid_request_error',
        param: 'model',
        code: 'missing_required_parameter',
      },
    });
  });

  test('when the body is empty, then it answers 400 naming model', async () => {
    const res = await request(app).post('/v1/embeddings');

    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe('model');
  });
});

describe('MOCK_API_KEY', () => {
  const app = mockApp({ MOCK_API_KEY: 'sk-upstream-123' });
  const invalidKey = {
    error: {
      message: 'Incorrect API key provided',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    },
  };

  test('when no Authorization header is sent, then API routes answer 401 invalid_api_key', async () => {
    const chat = await request(app).post('/v1/chat/completions').send(chatBody);
    const models = await request(app).get('/v1/models');

    expect(chat.status).toBe(401);
    expect(chat.body).toEqual(invalidKey);
    expect(models.status).toBe(401);
    expect(models.body).toEqual(invalidKey);
  });

  test('when a wrong key is sent, then it answers 401 invalid_api_key', async () => {
    const res = await request(app)
      .post('/v1/embeddings')
      .set('authorization', 'Bearer sk-wrong')
      .send({ model: 'text-embedding-3-small', input: 'x' });

    expect(res.status).toBe(401);
    expect(res.body).toEqual(invalidKey);
  });

  test('when the right bearer key is sent, then the request is answered', async () => {
    const res = await request(app)
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer sk-upstream-123')
      .send(chatBody);

    expect(res.status).toBe(200);
    expect(res.body.object).toBe('chat.completion');
  });

  test('when health is asked without a key, then it still answers', async () => {
    const res = await request(app).get('/health/readiness');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'healthy' });
  });
});

describe('error injection', () => {
  const app = mockApp();

  test.each([
    [429, 'rate_limit_error', 'rate_limit_exceeded'],
    [500, 'server_error', 'server_error'],
    [503, 'server_error', 'service_unavailable'],
    [400, 'invalid_request_error', 'invalid_request'],
  ])(
    'when x-mock-error-status is %i, then it answers that status with an OpenAI error body',
    async (status, type, code) => {
      const res = await request(app)
        .post('/v1/chat/completions')
        .set('x-mock-error-status', String(status))
        .send({ ...chatBody, stream: true });

      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.body).toEqual({ error: { message: `mock error ${status}`, type, param: null, code } });
    },
  );

  test('when x-mock-error-rate is 1, then every request fails with 500', async () => {
    const res = await request(app).post('/v1/completions').set('x-mock-error-rate', '1').send({ model: 'm' });

    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: { message: 'mock error 500', type: 'server_error', param: null, code: 'server_error' },
    });
  });

  test('when x-mock-error-rate is 0 with an error status, then the request succeeds', async () => {
    const res = await request(app)
      .post('/v1/chat/completions')
      .set('x-mock-error-status', '503')
      .set('x-mock-error-rate', '0')
      .send(chatBody);

    expect(res.status).toBe(200);
    expect(res.body.object).toBe('chat.completion');
  });

  test('when MOCK_ERROR_STATUS is set in the env, then generation requests fail with it', async () => {
    const res = await request(mockApp({ MOCK_ERROR_STATUS: '502' }))
      .post('/v1/embeddings')
      .send({ model: 'e', input: 'x' });

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      error: { message: 'mock error 502', type: 'server_error', param: null, code: 'server_error' },
    });
  });

  test('when an error is injected into an invalid request, then the validation error wins', async () => {
    const res = await request(app).post('/v1/chat/completions').set('x-mock-error-status', '429').send({});

    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe('model');
  });
});

describe('knob headers', () => {
  const app = mockApp();

  test('when x-mock-latency-ms is small, then the reply is unchanged', async () => {
    const res = await request(app)
      .post('/v1/chat/completions')
      .set('x-mock-latency-ms', '5')
      .set('x-mock-chunks', '2')
      .send(chatBody);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(String),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'This is' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });

  test.each([
    ['x-mock-latency-ms', 'soon', 'must be a non-negative number'],
    ['x-mock-chunks', '-1', 'must be a non-negative number'],
    ['x-mock-chunk-delay-ms', '', 'must be a non-negative number'],
    ['x-mock-error-status', '200', 'must be an HTTP error status between 400 and 599'],
    ['x-mock-error-rate', 'often', 'must be a number between 0 and 1'],
    ['x-mock-fail-after-chunks', 'x', 'must be a non-negative number'],
    ['x-mock-no-usage', 'yes', "must be '1', '0', 'true' or 'false'"],
  ])('when %s is %j, then it answers 400 naming the header', async (header, value, reason) => {
    const res = await request(app).post('/v1/chat/completions').set(header, value).send(chatBody);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: `Invalid value for header '${header}': ${reason}`,
        type: 'invalid_request_error',
        param: header,
        code: 'invalid_mock_header',
      },
    });
  });
});

describe('/mock/stats', () => {
  test('when requests were made, then stats count them and show the last one with its key and body', async () => {
    const app = mockApp();
    await request(app).get('/v1/models');
    await request(app)
      .post('/v1/chat/completions?trace=1')
      .set('authorization', 'Bearer sk-upstream')
      .send({ ...chatBody, stream: true, stream_options: { include_usage: true } });

    const res = await request(app).get('/mock/stats');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      requests: 2,
      completed: 2,
      aborted: 0,
      failed: 0,
      inFlight: 0,
      lastRequest: {
        method: 'POST',
        path: '/v1/chat/completions?trace=1',
        headers: expect.objectContaining({
          authorization: 'Bearer sk-upstream',
          'content-type': 'application/json',
        }),
        body: { ...chatBody, stream: true, stream_options: { include_usage: true } },
      },
    });
  });

  test('when stats are reset, then the counters and last request are cleared', async () => {
    const app = mockApp();
    await request(app).post('/v1/chat/completions').send(chatBody);

    const reset = await request(app).post('/mock/stats/reset');
    const after = await request(app).get('/mock/stats');

    const empty = { requests: 0, completed: 0, aborted: 0, failed: 0, inFlight: 0, lastRequest: null };
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual(empty);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(empty);
  });

  test('when health and stats routes are called, then they are not counted', async () => {
    const stats = new Stats();
    const app = mockApp({}, { stats });
    await request(app).get('/health/liveliness');
    await request(app).get('/mock/stats');
    await request(app).get('/mock/unknown');

    expect(stats.toJSON()).toEqual({
      requests: 0,
      completed: 0,
      aborted: 0,
      failed: 0,
      inFlight: 0,
      lastRequest: null,
    });
  });

  test('when the body is not JSON, then the last request shows the raw text', async () => {
    const stats = new Stats();
    await request(mockApp({}, { stats }))
      .post('/v1/chat/completions')
      .set('content-type', 'text/plain')
      .send('not json');

    expect(stats.lastRequest).toEqual({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: expect.objectContaining({ 'content-type': 'text/plain' }),
      body: 'not json',
    });
  });
});
