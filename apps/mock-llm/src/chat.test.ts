import request from 'supertest';
import { mockApp, sseData } from './test-support';

const DEFAULT_TEXT = 'This is a mock response from mock-llm. This';
const WORDS = ['This', ' is', ' a', ' mock', ' response', ' from', ' mock-llm.', ' This'];

const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'hello there' }],
  ...extra,
});

const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null) => ({
  id: expect.stringMatching(/^chatcmpl-[0-9a-f]{32}$/),
  object: 'chat.completion.chunk',
  created: expect.any(Number),
  model: 'gpt-4o',
  choices: [{ index: 0, delta, finish_reason }],
});

const usageChunk = (usage: Record<string, number>) => ({
  id: expect.stringMatching(/^chatcmpl-/),
  object: 'chat.completion.chunk',
  created: expect.any(Number),
  model: 'gpt-4o',
  choices: [],
  usage,
});

const ids = (frames: unknown[]) =>
  new Set(frames.filter((f): f is { id: string } => typeof f === 'object').map((f) => f.id));

describe('POST /v1/chat/completions', () => {
  const app = mockApp();

  test('when a chat request is sent without stream, then it answers a chat.completion with the default text and usage', async () => {
    const res = await request(app).post('/v1/chat/completions').send(chatBody());

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual({
      id: expect.stringMatching(/^chatcmpl-[0-9a-f]{32}$/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: DEFAULT_TEXT }, finish_reason: 'stop' }],
      // "hello there" is 11 characters: ceil(11 / 4) = 3
      usage: { prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 },
    });
    expect(Math.abs(res.body.created - Date.now() / 1000)).toBeLessThan(60);
  });

  test('when the alias /chat/completions is used, then it answers the same way', async () => {
    const res = await request(app)
      .post('/chat/completions')
      .send(chatBody({ model: 'any-model' }));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(String),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'any-model',
      choices: [{ index: 0, message: { role: 'assistant', content: DEFAULT_TEXT }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 },
    });
  });

  test('when the body carries mock_response, then that is the reply and its words are the completion tokens', async () => {
    const res = await request(app)
      .post('/v1/chat/completions')
      .send(chatBody({ mock_response: 'Paris is the capital.' }));

    expect(res.status).toBe(200);
    expect(res.body.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Paris is the capital.' }, finish_reason: 'stop' },
    ]);
    expect(res.body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });

  test('when messages have content parts, then prompt tokens count the characters of every text', async () => {
    const res = await request(app)
      .post('/v1/chat/completions')
      .send({
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'abcd' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'efghi' },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            ],
          },
          { role: 'assistant', content: null, tool_calls: [] },
        ],
      });

    expect(res.status).toBe(200);
    // 4 + 5 = 9 characters: ceil(9 / 4) = 3
    expect(res.body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 });
  });

  test('when x-mock-chunks is 3, then the default text is cut to 3 words', async () => {
    const res = await request(app).post('/v1/chat/completions').set('x-mock-chunks', '3').send(chatBody());

    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toBe('This is a');
    expect(res.body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });
  });

  test('when x-mock-chunks is above the limit, then it is clamped to 10000 words', async () => {
    const res = await request(app)
      .post('/v1/chat/completions')
      .set('x-mock-chunks', '999999')
      .send(chatBody());

    expect(res.status).toBe(200);
    expect(res.body.usage.completion_tokens).toBe(10_000);
    expect(res.body.choices[0].message.content.split(' ')).toHaveLength(10_000);
  });

  test('when messages are missing, then it answers 400 naming messages', async () => {
    const res = await request(app).post('/v1/chat/completions').send({ model: 'gpt-4o' });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: "Missing required parameter: 'messages'.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'missing_required_parameter',
      },
    });
  });

  test('when stream is true, then it sends a role chunk, one chunk per word, a stop chunk and [DONE]', async () => {
    const res = await request(app)
      .post('/v1/chat/completions')
      .send(chatBody({ stream: true }));

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-cache');
    const frames = sseData(res.text);
    expect(frames).toEqual([
      chunk({ role: 'assistant', content: '' }),
      ...WORDS.map((word) => chunk({ content: word })),
      chunk({}, 'stop'),
      '[DONE]',
    ]);
    expect(ids(frames).size).toBe(1);
  });

  test('when stream_options.include_usage is true, then a usage chunk with no choices precedes [DONE]', async () => {
    const res = await request(app)
      .post('/v1/chat/completions')
      .set('x-mock-chunks', '2')
      .send(chatBody({ stream: true, stream_options: { include_usage: true } }));

    expect(res.status).toBe(200);
    const frames = sseData(res.text);
    expect(frames).toEqual([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'This' }),
      chunk({ content: ' is' }),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }),
      '[DONE]',
    ]);
    expect(ids(frames).size).toBe(1);
  });

  test('when mock_response is streamed, then the content chunks add up to the exact text', async () => {
    const text = '  Hello,   world!\nBye ';
    const res = await request(app)
      .post('/v1/chat/completions')
      .send(chatBody({ stream: true, mock_response: text, stream_options: { include_usage: true } }));

    expect(res.status).toBe(200);
    const frames = sseData(res.text);
    expect(frames).toEqual([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: '  Hello,' }),
      chunk({ content: '   world!' }),
      chunk({ content: '\nBye ' }),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 }),
      '[DONE]',
    ]);
  });

  test('when x-mock-no-usage is 1, then neither the JSON reply nor the stream carries usage', async () => {
    const json = await request(app).post('/v1/chat/completions').set('x-mock-no-usage', '1').send(chatBody());
    const stream = await request(app)
      .post('/v1/chat/completions')
      .set('x-mock-no-usage', '1')
      .set('x-mock-chunks', '1')
      .send(chatBody({ stream: true, stream_options: { include_usage: true } }));

    expect(json.status).toBe(200);
    expect(json.body).toEqual({
      id: expect.any(String),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: DEFAULT_TEXT }, finish_reason: 'stop' }],
    });
    expect(stream.status).toBe(200);
    expect(sseData(stream.text)).toEqual([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'This' }),
      chunk({}, 'stop'),
      '[DONE]',
    ]);
  });

  test('when a chunk delay is set, then the stream still carries every frame in order', async () => {
    const res = await request(app)
      .post('/v1/chat/completions')
      .set('x-mock-chunks', '3')
      .set('x-mock-chunk-delay-ms', '1')
      .send(chatBody({ stream: true, stream_options: { include_usage: true } }));

    expect(res.status).toBe(200);
    expect(sseData(res.text)).toEqual([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'This' }),
      chunk({ content: ' is' }),
      chunk({ content: ' a' }),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 }),
      '[DONE]',
    ]);
  });

  test('when MOCK_CHUNKS is set in the env, then it is the default word count', async () => {
    const res = await request(mockApp({ MOCK_CHUNKS: '2' }))
      .post('/v1/chat/completions')
      .send(chatBody());

    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toBe('This is');
  });
});
