import type { AuthRecord } from '@llmgw/contracts';
import { isProxyError, type ProxyError } from '@llmgw/http';
import { assertKeyMayUse, pyList, visibleModels } from './model-access';

function record(models: string[], aliases: Record<string, string> = {}): AuthRecord {
  return {
    found: true,
    gen: 1,
    token: 'f'.repeat(64),
    keyName: 'sk-...abcd',
    keyAlias: null,
    userId: 'user-1',
    teamId: null,
    userRole: 'internal_user',
    models,
    aliases,
    blocked: false,
    expires: null,
    spend: 0,
    maxBudget: null,
    tpmLimit: null,
    rpmLimit: null,
    maxParallelRequests: null,
    allowedRoutes: [],
    metadata: {},
  };
}

function deniedError(fn: () => void): ProxyError {
  try {
    fn();
  } catch (err) {
    if (isProxyError(err)) return err;
    throw err;
  }
  throw new Error('expected a ProxyError, got none');
}

describe('pyList', () => {
  test('when given strings, then it prints them as Python’s repr of a list', () => {
    expect(pyList(['gpt-4', 'openai/*'])).toBe("['gpt-4', 'openai/*']");
  });

  test('when given an empty list, then []', () => {
    expect(pyList([])).toBe('[]');
  });
});

describe('assertKeyMayUse', () => {
  test.each([
    ['no record (master key)', null, 'anything'],
    ['an empty models list', record([]), 'gpt-4o'],
    ['the exact model', record(['gpt-4o', 'gpt-4']), 'gpt-4'],
    ['"*"', record(['*']), 'gpt-4o'],
    ['all-proxy-models', record(['all-proxy-models']), 'gpt-4o'],
    ['a matching wildcard', record(['openai/*']), 'openai/gpt-4o'],
    ['an alias for the model', record(['gpt-4'], { 'my-model': 'gpt-4' }), 'my-model'],
  ])('when the key allows %s, then the call is allowed', (_label, rec, model) => {
    expect(assertKeyMayUse(rec, model)).toBeUndefined();
  });

  test('when the model is not in the key’s list, then 401 key_model_access_denied with LiteLLM’s message', () => {
    const err = deniedError(() => assertKeyMayUse(record(['gpt-4']), 'gpt-3.5-turbo'));

    expect(err.status).toBe(401);
    expect(err.toBody()).toEqual({
      error: {
        message:
          "key not allowed to access model. This key can only access models=['gpt-4']. Tried to access gpt-3.5-turbo",
        type: 'key_model_access_denied',
        param: 'model',
        code: '401',
      },
    });
  });

  test('when a wildcard does not match the provider, then the model is denied', () => {
    const err = deniedError(() => assertKeyMayUse(record(['openai/*', 'gpt-4']), 'anthropic/claude-3'));

    expect(err.toBody()).toEqual({
      error: {
        message:
          "key not allowed to access model. This key can only access models=['openai/*', 'gpt-4']. Tried to access anthropic/claude-3",
        type: 'key_model_access_denied',
        param: 'model',
        code: '401',
      },
    });
  });

  test('when the wildcard is openai/* and the model has no prefix, then it is denied', () => {
    const err = deniedError(() => assertKeyMayUse(record(['openai/*']), 'gpt-4o'));

    expect(err.toBody().error.type).toBe('key_model_access_denied');
    expect(err.toBody().error.message).toBe(
      "key not allowed to access model. This key can only access models=['openai/*']. Tried to access gpt-4o",
    );
  });

  test('when a model name only shares a prefix with an allowed name, then it is denied', () => {
    const err = deniedError(() => assertKeyMayUse(record(['gpt-4']), 'gpt-4o'));

    expect(err.toBody().error.message).toBe(
      "key not allowed to access model. This key can only access models=['gpt-4']. Tried to access gpt-4o",
    );
  });
});

describe('visibleModels', () => {
  const configured = ['gpt-4o', 'gpt-4o-mini', 'openai/gpt-4.1', 'text-embedding-3-small'];

  test('when there is no record (master key), then every configured model is visible', () => {
    expect(visibleModels(null, configured)).toEqual(configured);
  });

  test('when the key has no model list, then every configured model is visible', () => {
    expect(visibleModels(record([]), configured)).toEqual(configured);
  });

  test('when the key has all-proxy-models among others, then every configured model is visible', () => {
    expect(visibleModels(record(['gpt-4o', 'all-proxy-models']), configured)).toEqual(configured);
  });

  test('when the key has a list, then only configured models it allows are visible, in config order', () => {
    expect(visibleModels(record(['text-embedding-3-small', 'gpt-4o', 'not-configured']), configured)).toEqual(
      ['gpt-4o', 'text-embedding-3-small'],
    );
  });

  test('when the key has a wildcard, then configured models under it are visible', () => {
    expect(visibleModels(record(['openai/*']), configured)).toEqual(['openai/gpt-4.1']);
  });

  test('when the key has "*", then everything configured is visible', () => {
    expect(visibleModels(record(['*']), configured)).toEqual(configured);
  });
});
