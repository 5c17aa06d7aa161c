import request from 'supertest';
import { mockApp, sseData } from './test-support';

const chunk = (text: string, finish_reason: string | null = null) => ({
  id: expect.stringMatching(/^cmpl-[0-9a-f]{32}$/),
  object: 'text_completion',
  created: expect.any(Number),
  model: 'gpt-3.5-turbo-instruct',
  choices: [{ text, index: 0, logprobs: null, finish_reason }],
});

describe('POST /v1/completions', () => {
  const app = mockApp();

  test('when a prompt is sent without stream, then it answers a text_completion with usage', async () => {
    const res = await request(app)
      .post('/v1/completions')
      .send({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^cmpl-[0-9a-f]{32}$/),
      object: 'text_completion',
      created: expect.any(Number),
      model: 'gpt-3.5-turbo-instruct',
      choices: [
        {
          text: 'This is a mock response from mock-llm. This',
          index: 0,
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      // 18 characters: ceil(18 / 4) = 5
      usage: { prompt_tokens: 5, completion_tokens: 8, total_tokens: 13 },
    });
  });

  test('when the prompt is token arrays and the alias /completions is used, then tokens are counted one per id', async () => {
    const res = await request(app)
      .post('/completions')
      .send({
        model: 'gpt-3.5-turbo-instruct',
        prompt: [
          [1, 2, 3],
          [4, 5],
        ],
        mock_response: 'ok',
      });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(String),
      object: 'text_completion',
      created: expect.any(Number),
      model: 'gpt-3.5-turbo-instruct',
      choices: [{ text: 'ok', index: 0, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
    });
  });

  test('when the prompt has an unsupported shape, then it answers 400 naming prompt', async () => {
    const res = await request(app)
      .post('/v1/completions')
      .send({ model: 'gpt-3.5-turbo-instruct', prompt: { text: 'hi' } });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: "'prompt' must be a string, an array of strings or an array of tokens",
        type: 'invalid_request_error',
        param: 'prompt',
        code: 'invalid_value',
      },
    });
  });

  test('when stream is true with include_usage, then it sends word chunks, a stop chunk, a usage chunk and [DONE]', async () => {
    const res = await request(app)
      .post('/v1/completions')
      .set('x-mock-chunks', '3')
      .send({
        model: 'gpt-3.5-turbo-instruct',
        prompt: 'Say',
        stream: true,
        stream_options: { include_usage: true },
      });

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const frames = sseData(res.text);
    expect(frames).toEqual([
      chunk('This'),
      chunk(' is'),
      chunk(' a'),
      chunk('', 'stop'),
      {
        id: expect.stringMatching(/^cmpl-/),
        object: 'text_completion',
        created: expect.any(Number),
        model: 'gpt-3.5-turbo-instruct',
        choices: [],
        usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
      },
      '[DONE]',
    ]);
    expect(new Set(frames.slice(0, -1).map((f) => (f as { id: string }).id)).size).toBe(1);
  });

  test('when stream is true without include_usage, then no usage chunk is sent', async () => {
    const res = await request(app)
      .post('/v1/completions')
      .set('x-mock-chunks', '1')
      .send({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say', stream: true });

    expect(res.status).toBe(200);
    expect(sseData(res.text)).toEqual([chunk('This'), chunk('', 'stop'), '[DONE]']);
  });
});
