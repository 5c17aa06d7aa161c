import { isProxyError } from '@llmgw/http';
import { assertCsrf, isStateChanging } from './csrf';

const TOKEN = 'tok-0123456789abcdef0123456789abcdef';

describe('assertCsrf', () => {
  test.each(['GET', 'HEAD', 'OPTIONS', undefined])(
    'when the method is %s, then no token is needed',
    (method) => {
      expect(() => assertCsrf(method, {}, TOKEN)).not.toThrow();
    },
  );

  test.each(['POST', 'PUT', 'PATCH', 'DELETE', 'post'])(
    'when a %s carries the right token, then it passes',
    (method) => {
      expect(isStateChanging(method)).toBe(true);
      expect(() => assertCsrf(method, { 'x-csrf-token': TOKEN }, TOKEN)).not.toThrow();
    },
  );

  test.each([
    ['no header', {}],
    ['a wrong token', { 'x-csrf-token': `${TOKEN.slice(0, -1)}x` }],
    ['a shorter token', { 'x-csrf-token': TOKEN.slice(1) }],
    ['an empty token', { 'x-csrf-token': '' }],
  ])('when a POST has %s, then 403 in the LiteLLM envelope', (_label, headers) => {
    let thrown: unknown;
    try {
      assertCsrf('POST', headers, TOKEN);
    } catch (err) {
      thrown = err;
    }
    expect(isProxyError(thrown)).toBe(true);
    if (isProxyError(thrown)) {
      expect(thrown.status).toBe(403);
      expect(thrown.toBody()).toEqual({
        error: {
          message:
            'CSRF token missing or invalid. Send the value of the csrf_token cookie in the x-csrf-token header.',
          type: 'auth_error',
          param: 'None',
          code: '403',
        },
      });
    }
  });
});
