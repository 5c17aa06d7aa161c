import {
  authError,
  badRequest,
  DetailError,
  isDetailError,
  isProxyError,
  notFound,
  ProxyError,
  serviceUnavailable,
} from './errors';

describe('ProxyError', () => {
  test('when built with only status, message and type, then code is the status as a string and param is "None"', () => {
    const err = new ProxyError({ status: 401, message: 'nope', type: 'auth_error' });

    expect(err.toBody()).toEqual({
      error: { message: 'nope', type: 'auth_error', param: 'None', code: '401' },
    });
    expect(err.status).toBe(401);
    expect(err.headers).toEqual({});
    expect(err.name).toBe('ProxyError');
    expect(err.message).toBe('nope');
    expect(err).toBeInstanceOf(Error);
  });

  test('when param is explicitly null, then the body keeps null (not "None")', () => {
    const err = new ProxyError({ status: 400, message: 'over budget', type: 'budget_exceeded', param: null });

    expect(err.toBody()).toEqual({
      error: { message: 'over budget', type: 'budget_exceeded', param: null, code: '400' },
    });
  });

  test('when param is a field name, then the body carries it', () => {
    const err = new ProxyError({
      status: 401,
      message: 'm',
      type: 'key_model_access_denied',
      param: 'model',
    });

    expect(err.toBody()).toEqual({
      error: { message: 'm', type: 'key_model_access_denied', param: 'model', code: '401' },
    });
  });

  test('when an upstream code is given, then it is kept instead of the status', () => {
    const err = new ProxyError({
      status: 429,
      message: 'slow down',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });

    expect(err.toBody()).toEqual({
      error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
  });

  test('when headers and a cause are given, then they are kept on the error but not in the body', () => {
    const cause = new Error('redis down');
    const err = new ProxyError({
      status: 429,
      message: 'limited',
      type: 'None',
      headers: { 'retry-after': '60' },
      cause,
    });

    expect(err.headers).toEqual({ 'retry-after': '60' });
    expect(err.cause).toBe(cause);
    expect(err.toBody()).toEqual({ error: { message: 'limited', type: 'None', param: 'None', code: '429' } });
  });

  test('when serialised, then the JSON is exactly the LiteLLM envelope in field order', () => {
    const err = new ProxyError({ status: 401, message: 'x', type: 'auth_error' });

    expect(JSON.stringify(err.toBody())).toBe(
      '{"error":{"message":"x","type":"auth_error","param":"None","code":"401"}}',
    );
  });
});

describe('isProxyError', () => {
  test('when given a ProxyError, then true', () => {
    expect(isProxyError(new ProxyError({ status: 400, message: 'm', type: 't' }))).toBe(true);
  });

  test('when given an object branded by another copy of the package, then true', () => {
    const foreign = { [Symbol.for('llmgw.ProxyError')]: true, status: 400 };

    expect(isProxyError(foreign)).toBe(true);
  });

  test.each([
    ['a plain Error', new Error('x')],
    ['a DetailError', new DetailError(400, 'x')],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'ProxyError'],
    ['an object with a status', { status: 400, type: 'auth_error' }],
  ])('when given %s, then false', (_label, value) => {
    expect(isProxyError(value)).toBe(false);
  });
});

describe('DetailError', () => {
  test('when the detail is a string, then it is the message', () => {
    const err = new DetailError(404, 'Invitation not found');

    expect(err.status).toBe(404);
    expect(err.detail).toBe('Invitation not found');
    expect(err.message).toBe('Invitation not found');
    expect(err.name).toBe('DetailError');
    expect(isDetailError(err)).toBe(true);
  });

  test('when the detail is an object, then the message is its JSON', () => {
    const err = new DetailError(400, { error: 'Invitation link has expired.' });

    expect(err.detail).toEqual({ error: 'Invitation link has expired.' });
    expect(err.message).toBe('{"error":"Invitation link has expired."}');
  });

  test('when given a ProxyError, then isDetailError is false', () => {
    expect(isDetailError(new ProxyError({ status: 400, message: 'm', type: 't' }))).toBe(false);
  });
});

describe('error helpers', () => {
  test('when authError, then a 401 auth_error with the "Authentication Error, " prefix and param "None"', () => {
    const err = authError('No api key passed in.');

    expect(err.status).toBe(401);
    expect(err.toBody()).toEqual({
      error: {
        message: 'Authentication Error, No api key passed in.',
        type: 'auth_error',
        param: 'None',
        code: '401',
      },
    });
  });

  test('when authError with another status, then that status is the code', () => {
    expect(authError('x', 403).toBody()).toEqual({
      error: { message: 'Authentication Error, x', type: 'auth_error', param: 'None', code: '403' },
    });
  });

  test('when badRequest, then a 400 bad_request_error with param null by default', () => {
    expect(badRequest('bad').toBody()).toEqual({
      error: { message: 'bad', type: 'bad_request_error', param: null, code: '400' },
    });
    expect(badRequest('bad', 'key_alias').toBody()).toEqual({
      error: { message: 'bad', type: 'bad_request_error', param: 'key_alias', code: '400' },
    });
  });

  test('when notFound, then a 404 not_found_error', () => {
    expect(notFound('key `abc` not found', 'key').toBody()).toEqual({
      error: { message: 'key `abc` not found', type: 'not_found_error', param: 'key', code: '404' },
    });
  });

  test('when serviceUnavailable, then a 503 service_unavailable with param null', () => {
    expect(serviceUnavailable('db down').toBody()).toEqual({
      error: { message: 'db down', type: 'service_unavailable', param: null, code: '503' },
    });
  });
});
