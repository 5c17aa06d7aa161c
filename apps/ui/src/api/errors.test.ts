import { ApiError, errorMessage, isUnavailable } from './errors';

describe('errorMessage', () => {
  test('when the body is the OpenAI/LiteLLM envelope, then its message is shown', () => {
    const body = {
      error: {
        message: 'Authentication Error, No api key passed in.',
        type: 'auth_error',
        param: 'None',
        code: '401',
      },
    };
    expect(errorMessage(401, body)).toBe('Authentication Error, No api key passed in.');
  });

  test('when the message is a Python dict repr, then the inner error is shown', () => {
    const body = {
      error: {
        message: "{'error': 'User with email a@b.co already exists'}",
        type: 'internal_server_error',
        param: 'None',
        code: '400',
      },
    };
    expect(errorMessage(400, body)).toBe('User with email a@b.co already exists');
  });

  test('when the body is a raw FastAPI detail object, then detail.error is shown', () => {
    expect(errorMessage(401, { detail: { error: 'Invitation link has expired.' } })).toBe(
      'Invitation link has expired.',
    );
  });

  test('when the body is a detail string, then it is shown', () => {
    expect(errorMessage(404, { detail: 'Not Found' })).toBe('Not Found');
  });

  test('when the body is a 422 validation list, then each field and message is named', () => {
    const body = {
      detail: [
        { type: 'missing', loc: ['body', 'user_ids'], msg: 'Field required', input: {} },
        { type: 'string_type', loc: ['query', 'page'], msg: 'Input should be a valid integer' },
      ],
    };
    expect(errorMessage(422, body)).toBe('user_ids: Field required; page: Input should be a valid integer');
  });

  test('when the body is an HTML error page, then a generic message naming the status is shown', () => {
    expect(errorMessage(502, '<html><body>Bad gateway</body></html>')).toBe(
      'The server had a problem (HTTP 502). Retry in a moment.',
    );
  });

  test('when the body is empty on a 4xx, then the status is named', () => {
    expect(errorMessage(409, null)).toBe('Request failed (HTTP 409).');
  });

  test('when the network failed (status 0), then the message says the gateway was unreachable', () => {
    expect(errorMessage(0, null)).toBe('The gateway could not be reached. Check your connection and retry.');
  });
});

describe('isUnavailable', () => {
  test('when a route is missing or its service is down, then the page shows an empty state', () => {
    expect([404, 502, 503].map((s) => isUnavailable(new ApiError(s, 'x', null)))).toEqual([true, true, true]);
  });

  test('when the error is a denial or a bad request, then it is not treated as unavailable', () => {
    expect([400, 401, 403].map((s) => isUnavailable(new ApiError(s, 'x', null)))).toEqual([
      false,
      false,
      false,
    ]);
    expect(isUnavailable(new Error('boom'))).toBe(false);
  });
});
