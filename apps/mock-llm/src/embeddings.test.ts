import request from 'supertest';
import { embed } from './embeddings';
import { mockApp } from './test-support';

const vector = expect.arrayContaining([expect.any(Number)]);

describe('POST /v1/embeddings', () => {
  const app = mockApp();

  test('when the input is a string, then it answers one 8-float embedding and usage', async () => {
    const res = await request(app)
      .post('/v1/embeddings')
      .send({ model: 'text-embedding-3-small', input: 'The food was delicious' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: embed('The food was delicious') }],
      model: 'text-embedding-3-small',
      // 22 characters: ceil(22 / 4) = 6
      usage: { prompt_tokens: 6, total_tokens: 6 },
    });
    expect(res.body.data[0].embedding).toHaveLength(8);
  });

  test('when the input is an array of strings, then each gets its own embedding in order', async () => {
    const res = await request(app)
      .post('/embeddings')
      .send({ model: 'text-embedding-3-small', input: ['first', 'second', 'first'] });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: vector },
        { object: 'embedding', index: 1, embedding: vector },
        { object: 'embedding', index: 2, embedding: vector },
      ],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
    const [a, b, c] = res.body.data.map((d: { embedding: number[] }) => d.embedding);
    expect(a).toEqual(c);
    expect(a).not.toEqual(b);
  });

  test('when the input is token arrays, then each array is one input and each id one token', async () => {
    const res = await request(app)
      .post('/v1/embeddings')
      .send({ model: 'text-embedding-3-small', input: [[1, 2], [3]] });

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { object: 'embedding', index: 0, embedding: embed([1, 2]) },
      { object: 'embedding', index: 1, embedding: embed([3]) },
    ]);
    expect(res.body.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  test('when encoding_format is base64, then the embedding is the float32 bytes of the same vector', async () => {
    const res = await request(app)
      .post('/v1/embeddings')
      .send({ model: 'text-embedding-3-small', input: 'hi', encoding_format: 'base64' });

    expect(res.status).toBe(200);
    const bytes = Buffer.from(res.body.data[0].embedding, 'base64');
    const floats = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    const expected = embed('hi');
    expect(floats).toHaveLength(8);
    for (const [i, f] of floats.entries()) expect(f).toBeCloseTo(expected[i] as number, 5);
  });

  test('when dimensions is given, then the vectors have that many floats', async () => {
    const res = await request(app)
      .post('/v1/embeddings')
      .send({ model: 'text-embedding-3-small', input: 'hi', dimensions: 3 });

    expect(res.status).toBe(200);
    expect(res.body.data[0].embedding).toEqual(embed('hi', 3));
  });

  test('when x-mock-no-usage is 1, then usage is left out', async () => {
    const res = await request(app)
      .post('/v1/embeddings')
      .set('x-mock-no-usage', '1')
      .send({ model: 'text-embedding-3-small', input: 'hi' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: embed('hi') }],
      model: 'text-embedding-3-small',
    });
  });

  test('when the input is missing, then it answers 400 naming input', async () => {
    const res = await request(app).post('/v1/embeddings').send({ model: 'text-embedding-3-small' });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: "Missing required parameter: 'input'.",
        type: 'invalid_request_error',
        param: 'input',
        code: 'missing_required_parameter',
      },
    });
  });

  test('when the input is an empty array, then it answers 400 naming input', async () => {
    const res = await request(app)
      .post('/v1/embeddings')
      .send({ model: 'text-embedding-3-small', input: [] });

    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      message:
        "'input' must be a non-empty string, array of strings, array of tokens or array of token arrays",
      type: 'invalid_request_error',
      param: 'input',
      code: 'invalid_value',
    });
  });
});

describe('embed', () => {
  test('when the same input is embedded twice, then the vectors are equal and of unit length', () => {
    const v = embed('same input');

    expect(embed('same input')).toEqual(v);
    expect(Math.hypot(...v)).toBeCloseTo(1, 4);
  });
});
