import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { isProxyError, type ProxyError } from '@llmgw/http';
import {
  BodyBudget,
  bodyLimitExceedsHeap,
  defaultInflightBodyBytes,
  parseJsonObject,
  readBody,
} from './read-body';

function proxyErrorOf(fn: () => unknown): ProxyError {
  try {
    fn();
  } catch (err) {
    if (isProxyError(err)) return err;
    throw err;
  }
  throw new Error('expected a ProxyError, got none');
}

const jsonMessageOf = (text: string) => {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${text} is valid JSON`);
};

describe('parseJsonObject', () => {
  test('when the body is a JSON object, then it is returned', () => {
    expect(parseJsonObject(Buffer.from('{"model":"gpt-4o","stream":true,"extra":{"a":[1]}}'))).toEqual({
      model: 'gpt-4o',
      stream: true,
      extra: { a: [1] },
    });
  });

  test('when the body is empty, then it is {}', () => {
    expect(parseJsonObject(Buffer.alloc(0))).toEqual({});
  });

  test('when the body holds UTF-8 text, then it is decoded', () => {
    expect(parseJsonObject(Buffer.from('{"content":"héllo ✓"}', 'utf8'))).toEqual({ content: 'héllo ✓' });
  });

  test.each(['{"model": "gpt-4o",', 'not json', '{model: 1}', '   '])(
    'when the body is invalid JSON (%s), then 400 invalid_request_error with "Invalid JSON payload: " and the parser message',
    (text) => {
      const err = proxyErrorOf(() => parseJsonObject(Buffer.from(text)));

      expect(err.status).toBe(400);
      expect(err.toBody()).toEqual({
        error: {
          message: `Invalid JSON payload: ${jsonMessageOf(text)}`,
          type: 'invalid_request_error',
          param: 'request_body',
          code: '400',
        },
      });
      expect(err.message.startsWith('Invalid JSON payload: ')).toBe(true);
    },
  );

  test.each([
    ['an array', '[{"model":"gpt-4o"}]'],
    ['a string', '"gpt-4o"'],
    ['a number', '42'],
    ['true', 'true'],
    ['null', 'null'],
  ])('when the body is %s, then 400 saying it must be a JSON object', (_label, text) => {
    const err = proxyErrorOf(() => parseJsonObject(Buffer.from(text)));

    expect(err.status).toBe(400);
    expect(err.toBody()).toEqual({
      error: {
        message: 'Invalid JSON payload: the body must be a JSON object',
        type: 'invalid_request_error',
        param: 'request_body',
        code: '400',
      },
    });
  });
});

describe('readBody', () => {
  function fakeRequest(headers: Record<string, string> = {}) {
    const stream = new PassThrough();
    return Object.assign(stream, { headers }) as unknown as IncomingMessage & PassThrough;
  }

  const tooLarge = (limit: number) => ({
    error: {
      message: `request body is larger than the limit of ${limit} bytes`,
      type: 'invalid_request_error',
      param: 'request_body',
      code: '413',
    },
  });

  async function rejectionOf(p: Promise<unknown>): Promise<ProxyError> {
    try {
      await p;
    } catch (err) {
      if (isProxyError(err)) return err;
      throw err;
    }
    throw new Error('expected a rejection, got none');
  }

  test('when the body arrives in several chunks, then they are concatenated', async () => {
    const req = fakeRequest();
    const body = readBody(req, 1024);
    req.write('{"a":');
    req.write('1}');
    req.end();

    expect((await body).toString('utf8')).toBe('{"a":1}');
  });

  test('when there is no body, then an empty buffer', async () => {
    const req = fakeRequest();
    const body = readBody(req, 1024);
    req.end();

    expect((await body).length).toBe(0);
  });

  test('when the body is exactly at the limit, then it is accepted', async () => {
    const req = fakeRequest();
    const body = readBody(req, 4);
    req.end('abcd');

    expect((await body).toString('utf8')).toBe('abcd');
  });

  test('when content-length declares more than the limit, then 413 before reading', async () => {
    const req = fakeRequest({ 'content-length': '5000' });
    const body = readBody(req, 1000);

    const err = await rejectionOf(body);

    expect(err.status).toBe(413);
    expect(err.toBody()).toEqual(tooLarge(1000));
  });

  test('when the streamed body grows past the limit, then 413', async () => {
    const req = fakeRequest();
    const body = readBody(req, 8);
    req.write('12345');
    req.write('67890');
    req.end();

    const err = await rejectionOf(body);

    expect(err.status).toBe(413);
    expect(err.toBody()).toEqual(tooLarge(8));
  });

  describe('with a budget of bytes in flight', () => {
    const busyBody = {
      error: {
        message:
          'the gateway is holding too many request bodies right now (MAX_INFLIGHT_BODY_BYTES), retry shortly',
        type: 'service_unavailable',
        param: null,
        code: '503',
      },
    };

    test('when bodies fit, then their bytes stay taken until given back', async () => {
      const budget = new BodyBudget(10);
      const req = fakeRequest();
      const body = readBody(req, 100, budget);
      req.end('abcdef');
      expect((await body).length).toBe(6);
      expect(budget.inUse).toBe(6);
      budget.give(6);
      expect(budget.inUse).toBe(0);
    });

    test('when a body would go over the budget, then 503 with Retry-After and its bytes are given back', async () => {
      const budget = new BodyBudget(10);
      const first = fakeRequest();
      const held = readBody(first, 100, budget);
      first.end('123456');
      await held;
      const second = fakeRequest();
      const refused = readBody(second, 100, budget);
      second.write('abc');
      second.write('defgh');
      second.end();
      const err = await rejectionOf(refused);
      expect(err.status).toBe(503);
      expect(err.headers).toEqual({ 'retry-after': '1' });
      expect(err.toBody()).toEqual(busyBody);
      expect(budget.inUse).toBe(6);
      budget.give(6);
      const third = fakeRequest();
      const fits = readBody(third, 100, budget);
      third.end('abcdefgh');
      expect((await fits).toString()).toBe('abcdefgh');
    });

    test('when a body goes over the size limit or the client leaves mid-body, then its bytes are given back', async () => {
      const budget = new BodyBudget(100);
      const big = fakeRequest();
      const tooBig = readBody(big, 8, budget);
      big.write('12345');
      big.write('67890');
      expect((await rejectionOf(tooBig)).status).toBe(413);
      expect(budget.inUse).toBe(0);

      const left = fakeRequest();
      const gone = readBody(left, 100, budget);
      left.write('12345');
      await new Promise((r) => setImmediate(r));
      expect(budget.inUse).toBe(5);
      left.destroy();
      await expect(gone).rejects.toThrow('the client closed the connection before sending its whole body');
      expect(budget.inUse).toBe(0);
    });
  });
});

describe('defaultInflightBodyBytes', () => {
  const MB = 1024 * 1024;
  test.each([
    // A large heap: the 256 MB ceiling.
    [4096 * MB, 20 * MB, 256 * MB],
    // A 128 MB heap holds (128 - 48) / 3 MB of bodies beside the gateway's own 48 MB.
    [128 * MB, 16 * MB, Math.floor((80 * MB) / 3)],
    // A heap too small for even one largest body: one body still fits the budget (main.ts warns).
    [64 * MB, 20 * MB, 20 * MB],
    // A heap smaller than the base: never negative, one body.
    [32 * MB, 1 * MB, 1 * MB],
  ])('with a %d-byte heap and %d-byte bodies, then %d bytes', (heap, body, expected) => {
    expect(defaultInflightBodyBytes(heap, body)).toBe(expected);
  });
});

describe('bodyLimitExceedsHeap', () => {
  const MB = 1024 * 1024;
  test.each([
    [128 * MB, 16 * MB, false],
    [128 * MB, 27 * MB, true],
    [4096 * MB, 20 * MB, false],
  ])('with a %d-byte heap and %d-byte bodies, then %s', (heap, body, expected) => {
    expect(bodyLimitExceedsHeap(heap, body)).toBe(expected);
  });
});
