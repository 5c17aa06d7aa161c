import { ConfigError, parseEnv } from '@llmgw/config';
import { configFromEnv, mockEnvSchema } from './env';

describe('mock-llm env', () => {
  test('when nothing is set, then it listens on 127.0.0.1:4010 with the documented defaults', () => {
    const env = parseEnv(mockEnvSchema, {});

    expect(env).toEqual({
      MOCK_LLM_PORT: 4010,
      HOST: '127.0.0.1',
      MOCK_MODELS: ['gpt-4o', 'gpt-4o-mini', 'gpt-3.5-turbo', 'text-embedding-3-small'],
      MOCK_API_KEY: undefined,
      MOCK_LATENCY_MS: 0,
      MOCK_CHUNKS: 8,
      MOCK_CHUNK_DELAY_MS: 0,
      MOCK_NO_USAGE: false,
      LOG_LEVEL: 'info',
    });
    expect(configFromEnv(env)).toEqual({
      models: ['gpt-4o', 'gpt-4o-mini', 'gpt-3.5-turbo', 'text-embedding-3-small'],
      apiKey: undefined,
      defaults: {
        latencyMs: 0,
        chunks: 8,
        chunkDelayMs: 0,
        errorStatus: 500,
        errorRate: 0,
        failAfterChunks: -1,
        noUsage: false,
      },
    });
  });

  test('when every knob is set, then the config carries them', () => {
    const env = parseEnv(mockEnvSchema, {
      MOCK_LLM_PORT: '5000',
      HOST: '0.0.0.0',
      MOCK_MODELS: 'a,b',
      MOCK_API_KEY: 'sk-up',
      MOCK_LATENCY_MS: '100',
      MOCK_CHUNKS: '16',
      MOCK_CHUNK_DELAY_MS: '5',
      MOCK_ERROR_STATUS: '429',
      MOCK_ERROR_RATE: '0.1',
      MOCK_FAIL_AFTER_CHUNKS: '2',
      MOCK_NO_USAGE: 'true',
      LOG_LEVEL: 'warn',
    });

    expect(env.MOCK_LLM_PORT).toBe(5000);
    expect(env.HOST).toBe('0.0.0.0');
    expect(configFromEnv(env)).toEqual({
      models: ['a', 'b'],
      apiKey: 'sk-up',
      defaults: {
        latencyMs: 100,
        chunks: 16,
        chunkDelayMs: 5,
        errorStatus: 429,
        errorRate: 0.1,
        failAfterChunks: 2,
        noUsage: true,
      },
    });
  });

  test('when MOCK_ERROR_STATUS is set without a rate, then every request fails with it', () => {
    const config = configFromEnv(parseEnv(mockEnvSchema, { MOCK_ERROR_STATUS: '503' }));

    expect(config.defaults).toMatchObject({ errorStatus: 503, errorRate: 1 });
  });

  test('when MOCK_API_KEY is empty, then auth is off', () => {
    expect(configFromEnv(parseEnv(mockEnvSchema, { MOCK_API_KEY: '' })).apiKey).toBeUndefined();
  });

  test('when a knob is out of range, then parsing fails naming the variable', () => {
    expect(() => parseEnv(mockEnvSchema, { MOCK_CHUNKS: '0', MOCK_LATENCY_MS: 'slow' })).toThrow(ConfigError);
    expect(() => parseEnv(mockEnvSchema, { MOCK_CHUNKS: '0' })).toThrow(/MOCK_CHUNKS/);
    expect(() => parseEnv(mockEnvSchema, { MOCK_MODELS: ' , ' })).toThrow(/MOCK_MODELS/);
  });
});
