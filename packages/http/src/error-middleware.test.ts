import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { jsonBody, parseBody, parseQuery } from './body';
import { errorMiddleware, notFoundHandler, ValidationError, zodToDetail } from './error-middleware';
import { DetailError, ProxyError } from './errors';
import { createLogger } from './logger';
import { requestIdMiddleware } from './request-id';

function captureLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'test',
    level: 'debug',
    destination: {
      write: (line: string) => {
        lines.push(line);
      },
    },
  });
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** A tiny app whose `/throw` route fails with whatever `fail()` returns. */
function appThrowing(fail: () => unknown, opts: { bodyLimit?: string } = {}) {
  const { logger, records } = captureLogger();
  const app = express();
  app.use(requestIdMiddleware);
  const thrower: RequestHandler = () => {
    throw fail();
  };
  app.get('/throw', thrower);
  app.post('/echo', jsonBody(opts.bodyLimit), (req, res) => {
    res.json({ got: req.body });
  });
  app.use(notFoundHandler);
  app.use(errorMiddleware(logger));
  return { app, records };
}

const bodySchema = z.object({ user_ids: z.array(z.string()), max_budget: z.number().optional() });

describe('errorMiddleware', () => {
  test('when a ProxyError is thrown, then its status, headers and whole body are sent', async () => {
    const { app, records } = appThrowing(
      () =>
        new ProxyError({
          status: 429,
          message: 'Rate limit exceeded for api_key: abc.',
          type: 'None',
          param: 'None',
          headers: { 'retry-after': '60', rate_limit_type: 'requests' },
        }),
    );

    const res = await request(app).get('/throw');

    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('60');
    expect(res.headers.rate_limit_type).toBe('requests');
    expect(res.body).toEqual({
      error: { message: 'Rate limit exceeded for api_key: abc.', type: 'None', param: 'None', code: '429' },
    });
    expect(records()).toEqual([]);
  });

  test('when a 5xx ProxyError is thrown, then it is sent as-is and logged with the request id', async () => {
    const { app, records } = appThrowing(
      () => new ProxyError({ status: 503, message: 'db down', type: 'service_unavailable', param: null }),
    );

    const res = await request(app).get('/throw').set('x-request-id', 'req-503');

    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: { message: 'db down', type: 'service_unavailable', param: null, code: '503' },
    });
    expect(records().map((r) => [r.level, r.msg, r.reqId])).toEqual([['error', 'request failed', 'req-503']]);
  });

  test('when a DetailError is thrown, then the body is the raw FastAPI {"detail": ...}', async () => {
    const { app } = appThrowing(() => new DetailError(400, { error: 'Invitation link has expired.' }));

    const res = await request(app).get('/throw');

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: { error: 'Invitation link has expired.' } });
  });

  test('when a DetailError with a string detail is thrown, then detail is that string', async () => {
    const { app } = appThrowing(() => new DetailError(404, 'Team not found'));

    const res = await request(app).get('/throw');

    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: 'Team not found' });
  });

  test('when parseBody fails, then 422 with FastAPI detail entries located in the body', async () => {
    const { app } = appThrowing(() => {
      try {
        parseBody(bodySchema, { user_ids: ['a', 7], max_budget: 'lots' });
      } catch (err) {
        return err;
      }
      return new Error('parseBody accepted a bad body');
    });

    const res = await request(app).get('/throw');

    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        {
          type: 'invalid_type',
          loc: ['body', 'user_ids', '1'],
          msg: 'user_ids.1: Invalid input: expected string, received number',
        },
        {
          type: 'invalid_type',
          loc: ['body', 'max_budget'],
          msg: 'max_budget: Invalid input: expected number, received string',
        },
      ],
    });
  });

  test('when parseBody gets no body and a field is required, then 422 names the missing field', async () => {
    const { app } = appThrowing(() => {
      try {
        parseBody(bodySchema, undefined);
      } catch (err) {
        return err;
      }
      return new Error('parseBody accepted a missing body');
    });

    const res = await request(app).get('/throw');

    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        {
          type: 'invalid_type',
          loc: ['body', 'user_ids'],
          msg: 'user_ids: Invalid input: expected array, received undefined',
        },
      ],
    });
  });

  test('when parseQuery fails, then the detail is located in the query', async () => {
    const { app } = appThrowing(() => {
      try {
        parseQuery(z.object({ page: z.coerce.number().int() }), { page: 'two' });
      } catch (err) {
        return err;
      }
      return new Error('parseQuery accepted a bad query');
    });

    const res = await request(app).get('/throw');

    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        {
          type: 'invalid_type',
          loc: ['query', 'page'],
          msg: 'page: Invalid input: expected number, received NaN',
        },
      ],
    });
  });

  test('when a bare ZodError is thrown, then 422 with the detail located in the body', async () => {
    const { app } = appThrowing(() => bodySchema.safeParse({ user_ids: 'x' }).error);

    const res = await request(app).get('/throw');

    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        {
          type: 'invalid_type',
          loc: ['body', 'user_ids'],
          msg: 'user_ids: Invalid input: expected array, received string',
        },
      ],
    });
  });

  test('when the body is invalid JSON, then 400 with LiteLLM\'s "Invalid JSON payload" envelope', async () => {
    const { app } = appThrowing(() => new Error('unused'));
    const raw = '{"model": "gpt-4o",';
    let parserMessage = '';
    try {
      JSON.parse(raw);
    } catch (err) {
      parserMessage = (err as Error).message;
    }

    const res = await request(app).post('/echo').set('content-type', 'application/json').send(raw);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        message: `Invalid JSON payload: ${parserMessage}`,
        type: 'invalid_request_error',
        param: 'request_body',
        code: '400',
      },
    });
  });

  test('when the body is valid JSON, then the route gets it (non-object values allowed by strict: false)', async () => {
    const { app } = appThrowing(() => new Error('unused'));

    const res = await request(app).post('/echo').set('content-type', 'application/json').send('"text"');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ got: 'text' });
  });

  test('when the body is larger than the limit, then 413 in the envelope', async () => {
    const { app } = appThrowing(() => new Error('unused'), { bodyLimit: '20b' });

    const res = await request(app)
      .post('/echo')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ text: 'x'.repeat(100) }));

    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: {
        message: 'request body is too large',
        type: 'invalid_request_error',
        param: 'request_body',
        code: '413',
      },
    });
  });

  test('when the body uses a charset the parser refuses, then its 4xx status is kept in the envelope', async () => {
    const { app } = appThrowing(() => new Error('unused'));

    const res = await request(app)
      .post('/echo')
      .set('content-type', 'application/json; charset=koi8-r')
      .send('{}');

    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      error: {
        message: 'unsupported charset "KOI8-R"',
        type: 'invalid_request_error',
        param: null,
        code: '415',
      },
    });
  });

  test('when an unknown error is thrown, then 500 with a generic body and no internals', async () => {
    const { app, records } = appThrowing(
      () => new Error('connect ECONNREFUSED postgres://admin:hunter2@10.0.0.5:5432/llmgw'),
    );

    const res = await request(app).get('/throw').set('x-request-id', 'req-500');

    expect(res.status).toBe(500);
    expect(res.text).toBe(
      '{"error":{"message":"Internal Server Error","type":"internal_server_error","param":"None","code":"500"}}',
    );
    expect(res.text).not.toContain('hunter2');
    const logged = records();
    expect(logged.map((r) => [r.level, r.msg, r.reqId, r.method, r.path])).toEqual([
      ['error', 'unhandled error', 'req-500', 'GET', '/throw'],
    ]);
  });

  test('when a non-Error value is thrown, then it is a generic 500', async () => {
    const { app } = appThrowing(() => 'just a string');

    const res = await request(app).get('/throw');

    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: { message: 'Internal Server Error', type: 'internal_server_error', param: 'None', code: '500' },
    });
  });

  test('when an error carries a 5xx status of its own, then it is still a generic 500', async () => {
    const { app } = appThrowing(() => Object.assign(new Error('upstream internals'), { status: 502 }));

    const res = await request(app).get('/throw');

    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: { message: 'Internal Server Error', type: 'internal_server_error', param: 'None', code: '500' },
    });
  });
});

describe('notFoundHandler', () => {
  test('when no route matches, then 404 not_found_error naming the method and path', async () => {
    const { app } = appThrowing(() => new Error('unused'));

    const res = await request(app).delete('/no/such/route?x=1');

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        message: 'route DELETE /no/such/route not found',
        type: 'not_found_error',
        param: null,
        code: '404',
      },
    });
  });
});

describe('zodToDetail', () => {
  test('when an issue has no path, then loc is just the location and msg is the bare message', () => {
    const err = z.string().safeParse(5).error!;

    expect(zodToDetail(err, 'body')).toEqual({
      detail: [
        { type: 'invalid_type', loc: ['body'], msg: 'Invalid input: expected string, received number' },
      ],
    });
  });
});

describe('ValidationError', () => {
  test('when built, then it keeps the zod error and where the bad field was', () => {
    const zodError = z.object({ a: z.string() }).safeParse({}).error!;
    const err = new ValidationError(zodError, 'query');

    expect(err.name).toBe('ValidationError');
    expect(err.location).toBe('query');
    expect(err.zodError).toBe(zodError);
  });
});
