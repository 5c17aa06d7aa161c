import { extractKey } from './extract-key';

describe('extractKey', () => {
  test('when no key header is present, then none', () => {
    expect(extractKey({ 'content-type': 'application/json' })).toEqual({ kind: 'none' });
  });

  test('when x-litellm-api-key is a bare key, then it is used', () => {
    expect(extractKey({ 'x-litellm-api-key': 'sk-custom' })).toEqual({ kind: 'key', value: 'sk-custom' });
  });

  test('when x-litellm-api-key carries a Bearer prefix, then the prefix is stripped', () => {
    expect(extractKey({ 'x-litellm-api-key': 'Bearer sk-custom' })).toEqual({
      kind: 'key',
      value: 'sk-custom',
    });
  });

  test('when x-litellm-api-key and Authorization are both set, then x-litellm-api-key wins', () => {
    expect(
      extractKey({ 'x-litellm-api-key': 'sk-custom', authorization: 'Bearer sk-auth', 'x-api-key': 'sk-x' }),
    ).toEqual({ kind: 'key', value: 'sk-custom' });
  });

  test('when x-litellm-api-key is empty, then the next header is used', () => {
    expect(extractKey({ 'x-litellm-api-key': '', authorization: 'Bearer sk-auth' })).toEqual({
      kind: 'key',
      value: 'sk-auth',
    });
  });

  test.each([
    ['Bearer sk-auth', 'sk-auth'],
    ['bearer sk-auth', 'sk-auth'],
    ['Basic sk-auth', 'sk-auth'],
    ['Bearer   sk-auth  ', 'sk-auth'],
  ])('when Authorization is "%s", then the key is %s', (header, value) => {
    expect(extractKey({ authorization: header })).toEqual({ kind: 'key', value });
  });

  test.each([
    ['a bare key with no scheme', 'sk-auth'],
    ['a scheme with no key', 'Bearer '],
    ['an empty value', ''],
    ['another scheme', 'Token sk-auth'],
    ['a scheme glued to the key', 'Bearersk-auth'],
  ])('when Authorization has %s, then the key is malformed', (_label, header) => {
    expect(extractKey({ authorization: header })).toEqual({ kind: 'malformed' });
  });

  test('when Authorization is malformed, then later headers are not consulted (LiteLLM sets key to "")', () => {
    expect(extractKey({ authorization: 'sk-auth', 'x-api-key': 'sk-anthropic' })).toEqual({
      kind: 'malformed',
    });
  });

  test('when Authorization and API-Key are both set, then Authorization wins', () => {
    expect(extractKey({ authorization: 'Bearer sk-auth', 'api-key': 'sk-azure' })).toEqual({
      kind: 'key',
      value: 'sk-auth',
    });
  });

  test('when only API-Key (Azure) is set, then it is used', () => {
    expect(extractKey({ 'api-key': 'sk-azure' })).toEqual({ kind: 'key', value: 'sk-azure' });
  });

  test('when only x-api-key (Anthropic) is set, then it is used', () => {
    expect(extractKey({ 'x-api-key': 'sk-anthropic' })).toEqual({ kind: 'key', value: 'sk-anthropic' });
  });

  test('when only x-goog-api-key is set, then it is used', () => {
    expect(extractKey({ 'x-goog-api-key': 'sk-google' })).toEqual({ kind: 'key', value: 'sk-google' });
  });

  test('when only Ocp-Apim-Subscription-Key is set, then it is used', () => {
    expect(extractKey({ 'ocp-apim-subscription-key': 'sk-apim' })).toEqual({ kind: 'key', value: 'sk-apim' });
  });

  test('when API-Key, x-api-key, x-goog-api-key and Ocp-Apim-Subscription-Key are all set, then API-Key wins', () => {
    expect(
      extractKey({
        'ocp-apim-subscription-key': 'sk-apim',
        'x-goog-api-key': 'sk-google',
        'x-api-key': 'sk-anthropic',
        'api-key': 'sk-azure',
      }),
    ).toEqual({ kind: 'key', value: 'sk-azure' });
  });

  test('when x-api-key, x-goog-api-key and Ocp-Apim-Subscription-Key are set, then x-api-key wins', () => {
    expect(
      extractKey({
        'ocp-apim-subscription-key': 'sk-apim',
        'x-goog-api-key': 'sk-google',
        'x-api-key': 'sk-a',
      }),
    ).toEqual({ kind: 'key', value: 'sk-a' });
  });

  test('when x-goog-api-key and Ocp-Apim-Subscription-Key are set, then x-goog-api-key wins', () => {
    expect(extractKey({ 'ocp-apim-subscription-key': 'sk-apim', 'x-goog-api-key': 'sk-google' })).toEqual({
      kind: 'key',
      value: 'sk-google',
    });
  });

  test('when a fallback header is empty, then the next one is used', () => {
    expect(extractKey({ 'api-key': '', 'x-api-key': 'sk-anthropic' })).toEqual({
      kind: 'key',
      value: 'sk-anthropic',
    });
  });

  test('when a fallback header has surrounding whitespace, then it is trimmed', () => {
    expect(extractKey({ 'x-api-key': '  sk-anthropic ' })).toEqual({ kind: 'key', value: 'sk-anthropic' });
  });
});
