import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import request from 'supertest';
import { ensureRequestId, requestIdMiddleware } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function fakes(incoming: string | string[] | undefined) {
  const set: Record<string, unknown> = {};
  const req = { headers: incoming === undefined ? {} : { 'x-request-id': incoming } } as IncomingMessage;
  const res = {
    setHeader: (name: string, value: unknown) => {
      set[name] = value;
    },
  } as unknown as ServerResponse;
  return { req, res, set };
}

describe('ensureRequestId', () => {
  test.each(['abc', 'req-123_ABC.def:42', '0f8fad5b-d9cb-469f-a165-70867728950e', 'a'.repeat(128)])(
    'when the incoming id is the sane token "%s", then it is kept and echoed',
    (id) => {
      const { req, res, set } = fakes(id);

      expect(ensureRequestId(req, res)).toBe(id);
      expect(set).toEqual({ 'x-request-id': id });
    },
  );

  test.each([
    ['too long', 'a'.repeat(129)],
    ['empty', ''],
    ['with a space', 'abc def'],
    ['with markup', '<script>alert(1)</script>'],
    ['with a slash', 'a/b'],
    ['with a quote', 'a"b'],
    ['with non-ASCII', 'réq'],
  ])('when the incoming id is unsafe (%s), then a fresh uuid replaces it', (_label, id) => {
    const { req, res, set } = fakes(id);

    const got = ensureRequestId(req, res);

    expect(got).toMatch(UUID);
    expect(set).toEqual({ 'x-request-id': got });
  });

  test('when there is no incoming id, then a uuid is minted and set', () => {
    const { req, res, set } = fakes(undefined);

    const got = ensureRequestId(req, res);

    expect(got).toMatch(UUID);
    expect(set).toEqual({ 'x-request-id': got });
  });

  test('when the header arrives as an array, then a uuid is minted', () => {
    const { req, res, set } = fakes(['a', 'b']);

    const got = ensureRequestId(req, res);

    expect(got).toMatch(UUID);
    expect(set).toEqual({ 'x-request-id': got });
  });

  test('when called twice without an incoming id, then the ids differ', () => {
    const first = fakes(undefined);
    const second = fakes(undefined);

    expect(ensureRequestId(first.req, first.res)).not.toBe(ensureRequestId(second.req, second.res));
  });
});

describe('requestIdMiddleware', () => {
  const app = express();
  app.use(requestIdMiddleware);
  app.get('/', (_req, res) => {
    res.json({ requestId: res.locals.requestId });
  });

  test('when the caller sends a sane id, then the response header and res.locals carry it', async () => {
    const res = await request(app).get('/').set('x-request-id', 'client-id-1');

    expect(res.headers['x-request-id']).toBe('client-id-1');
    expect(res.body).toEqual({ requestId: 'client-id-1' });
  });

  test('when the caller sends an unsafe id, then a uuid is used in both places', async () => {
    const res = await request(app).get('/').set('x-request-id', 'x'.repeat(200));

    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.body).toEqual({ requestId: res.headers['x-request-id'] });
  });

  test('when the caller sends no id, then one is minted and echoed', async () => {
    const res = await request(app).get('/');

    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.body).toEqual({ requestId: res.headers['x-request-id'] });
  });
});
