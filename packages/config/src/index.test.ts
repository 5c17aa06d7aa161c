import {
  ConfigError,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  DEV_MASTER_KEY,
  databaseEnv,
  flag,
  internalEnv,
  logEnv,
  masterKeyEnv,
  nodeEnv,
  parseEnv,
  port,
  redisEnv,
  resolveSecrets,
  serviceUrl,
  z,
} from './index';

const DEV_INTERNAL_SECRET = 'dev-internal-secret-not-for-production';

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError, got none');
}

describe('parseEnv', () => {
  const schema = z.object({
    PORT: port(4000),
    DEBUG: flag(false),
    ...databaseEnv,
    ...redisEnv,
    ...logEnv,
    ...masterKeyEnv,
    ...internalEnv,
    ...nodeEnv,
    SPEND_URL: serviceUrl('http://127.0.0.1:4003'),
  });

  test('when nothing is set, then every variable takes its documented default', () => {
    expect(parseEnv(schema, {})).toEqual({
      PORT: 4000,
      DEBUG: false,
      DATABASE_URL: DEFAULT_DATABASE_URL,
      DATABASE_POOL_MAX: 10,
      REDIS_URL: DEFAULT_REDIS_URL,
      REDIS_PREFIX: 'llmgw:',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      SPEND_URL: 'http://127.0.0.1:4003',
    });
  });

  test('when every variable is set to a valid value, then they are coerced and returned', () => {
    expect(
      parseEnv(schema, {
        PORT: '8080',
        DEBUG: '1',
        DATABASE_URL: 'postgresql://u:p@db:5432/x',
        DATABASE_POOL_MAX: '25',
        REDIS_URL: 'rediss://cache:6380',
        REDIS_PREFIX: 'test:run-1_a',
        LOG_LEVEL: 'debug',
        MASTER_KEY: 'sk-master-key',
        LITELLM_MASTER_KEY: 'sk-litellm-key',
        INTERNAL_SECRET: '0123456789abcdef',
        NODE_ENV: 'production',
        SPEND_URL: 'https://spend.internal',
      }),
    ).toEqual({
      PORT: 8080,
      DEBUG: true,
      DATABASE_URL: 'postgresql://u:p@db:5432/x',
      DATABASE_POOL_MAX: 25,
      REDIS_URL: 'rediss://cache:6380',
      REDIS_PREFIX: 'test:run-1_a',
      LOG_LEVEL: 'debug',
      MASTER_KEY: 'sk-master-key',
      LITELLM_MASTER_KEY: 'sk-litellm-key',
      INTERNAL_SECRET: '0123456789abcdef',
      NODE_ENV: 'production',
      SPEND_URL: 'https://spend.internal',
    });
  });

  test('when several variables are bad, then the ConfigError names every one of them', () => {
    const err = configErrorOf(() =>
      parseEnv(schema, {
        DATABASE_URL: 'mysql://db/x',
        REDIS_URL: 'http://cache',
        REDIS_PREFIX: 'has space',
        MASTER_KEY: 'short',
        INTERNAL_SECRET: 'tiny',
        SPEND_URL: 'ftp://spend',
      }),
    );

    expect(err.name).toBe('ConfigError');
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe(
      'invalid environment: ' +
        'DATABASE_URL: must be a URL starting with postgres:// or postgresql://; ' +
        'REDIS_URL: must be a URL starting with redis:// or rediss://; ' +
        'REDIS_PREFIX: must be 1-64 chars of A-Z a-z 0-9 : _ -; ' +
        'MASTER_KEY: must be at least 8 characters; ' +
        'INTERNAL_SECRET: must be at least 16 characters; ' +
        'SPEND_URL: must be a URL starting with http:// or https://',
    );
  });

  test('when an enum or a number is out of range, then the message names the variable with zod’s reason', () => {
    const err = configErrorOf(() => parseEnv(schema, { PORT: '70000', LOG_LEVEL: 'loud' }));

    expect(err.message).toBe(
      'invalid environment: PORT: Too big: expected number to be <=65535; ' +
        'LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
    );
  });

  test('when a required variable is missing, then the message names it', () => {
    const err = configErrorOf(() => parseEnv(z.object({ CONFIG_FILE: z.string() }), {}));

    expect(err.message).toBe(
      'invalid environment: CONFIG_FILE: Invalid input: expected string, received undefined',
    );
  });

  test('when the bad value sits in a nested schema, then its path is joined with dots', () => {
    const err = configErrorOf(() =>
      parseEnv(z.object({ A: z.object({ B: z.string().min(3, 'too short') }) }), {
        A: { B: 'x' },
      } as unknown as NodeJS.ProcessEnv),
    );

    expect(err.message).toBe('invalid environment: A.B: too short');
  });

  test('when the whole environment fails a root-level check, then it is called (environment)', () => {
    const err = configErrorOf(() =>
      parseEnv(
        z.object({ A: z.string().optional() }).refine((e) => e.A !== undefined, 'A or B is required'),
        {},
      ),
    );

    expect(err.message).toBe('invalid environment: (environment): A or B is required');
  });

  test('when a REDIS_PREFIX is longer than 64 characters, then it is rejected', () => {
    const err = configErrorOf(() => parseEnv(schema, { REDIS_PREFIX: 'p'.repeat(65) }));

    expect(err.message).toBe('invalid environment: REDIS_PREFIX: must be 1-64 chars of A-Z a-z 0-9 : _ -');
  });

  test('when DATABASE_POOL_MAX is 0, then it is rejected', () => {
    const err = configErrorOf(() => parseEnv(schema, { DATABASE_POOL_MAX: '0' }));

    expect(err.message).toBe('invalid environment: DATABASE_POOL_MAX: Too small: expected number to be >=1');
  });
});

describe('flag', () => {
  const schema = z.object({ ON: flag(true), OFF: flag(false) });

  test.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('when set to "%s", then it parses to %s', (value, expected) => {
    expect(parseEnv(schema, { ON: value, OFF: value })).toEqual({ ON: expected, OFF: expected });
  });

  test('when unset, then each flag takes its fallback', () => {
    expect(parseEnv(schema, {})).toEqual({ ON: true, OFF: false });
  });

  test('when set to an empty string, then it counts as unset and takes its fallback', () => {
    expect(parseEnv(schema, { ON: '', OFF: '' })).toEqual({ ON: true, OFF: false });
  });

  test.each(['yes', 'TRUE', 'on'])('when set to "%s", then it is rejected', (value) => {
    const err = configErrorOf(() => parseEnv(schema, { ON: value }));

    expect(err.message).toBe(
      'invalid environment: ON: Invalid option: expected one of "0"|"1"|"true"|"false"',
    );
  });
});

describe('port', () => {
  const schema = z.object({ PORT: port(4000) });

  test.each([
    ['0', 0],
    ['80', 80],
    ['65535', 65535],
  ])('when set to "%s", then it parses to %d', (value, expected) => {
    expect(parseEnv(schema, { PORT: value })).toEqual({ PORT: expected });
  });

  test('when unset, then it takes the fallback', () => {
    expect(parseEnv(schema, {})).toEqual({ PORT: 4000 });
  });

  test.each([
    ['65536', 'Too big: expected number to be <=65535'],
    ['-1', 'Too small: expected number to be >=0'],
    ['80.5', 'Invalid input: expected int, received number'],
    ['http', 'Invalid input: expected number, received NaN'],
  ])('when set to "%s", then it is rejected', (value, reason) => {
    const err = configErrorOf(() => parseEnv(schema, { PORT: value }));

    expect(err.message).toBe(`invalid environment: PORT: ${reason}`);
  });
});

describe('resolveSecrets', () => {
  test('when nothing is set outside production, then the well-known dev secrets are used', () => {
    expect(resolveSecrets({})).toEqual({ masterKey: DEV_MASTER_KEY, internalSecret: DEV_INTERNAL_SECRET });
    expect(DEV_MASTER_KEY).toBe('sk-1234');
  });

  test.each(['development', 'test'])('when NODE_ENV is %s, then the dev defaults apply', (NODE_ENV) => {
    expect(resolveSecrets({ NODE_ENV })).toEqual({
      masterKey: 'sk-1234',
      internalSecret: DEV_INTERNAL_SECRET,
    });
  });

  test('when MASTER_KEY and INTERNAL_SECRET are set, then they are used as given', () => {
    expect(
      resolveSecrets({ NODE_ENV: 'development', MASTER_KEY: 'sk-mine-123', INTERNAL_SECRET: 'x'.repeat(16) }),
    ).toEqual({ masterKey: 'sk-mine-123', internalSecret: 'x'.repeat(16) });
  });

  test('when only LITELLM_MASTER_KEY is set, then it is accepted as the master key', () => {
    expect(resolveSecrets({ LITELLM_MASTER_KEY: 'sk-from-litellm' })).toEqual({
      masterKey: 'sk-from-litellm',
      internalSecret: DEV_INTERNAL_SECRET,
    });
  });

  test('when both MASTER_KEY and LITELLM_MASTER_KEY are set, then MASTER_KEY wins', () => {
    expect(resolveSecrets({ MASTER_KEY: 'sk-ours', LITELLM_MASTER_KEY: 'sk-theirs' })).toEqual({
      masterKey: 'sk-ours',
      internalSecret: DEV_INTERNAL_SECRET,
    });
  });

  test('when the master key does not start with sk-, then it is rejected even outside production', () => {
    const err = configErrorOf(() => resolveSecrets({ MASTER_KEY: 'master-key-1234' }));

    expect(err.message).toBe("invalid environment: MASTER_KEY: must start with 'sk-' (as in LiteLLM)");
  });

  test('when LITELLM_MASTER_KEY does not start with sk-, then it is rejected too', () => {
    const err = configErrorOf(() => resolveSecrets({ LITELLM_MASTER_KEY: 'master-key-1234' }));

    expect(err.message).toBe("invalid environment: MASTER_KEY: must start with 'sk-' (as in LiteLLM)");
  });

  test('when in production with no master key, then the error names MASTER_KEY', () => {
    const err = configErrorOf(() =>
      resolveSecrets({ NODE_ENV: 'production', INTERNAL_SECRET: 's'.repeat(32) }),
    );

    expect(err.message).toBe('invalid environment: MASTER_KEY: required in production');
  });

  test('when in production with no internal secret, then the error names INTERNAL_SECRET', () => {
    const err = configErrorOf(() => resolveSecrets({ NODE_ENV: 'production', MASTER_KEY: 'sk-prod-key' }));

    expect(err.message).toBe('invalid environment: INTERNAL_SECRET: required in production');
  });

  test('when in production with an internal secret under 32 characters, then it is rejected', () => {
    const err = configErrorOf(() =>
      resolveSecrets({ NODE_ENV: 'production', MASTER_KEY: 'sk-prod-key', INTERNAL_SECRET: 's'.repeat(31) }),
    );

    expect(err.message).toBe(
      'invalid environment: INTERNAL_SECRET: must be at least 32 characters in production',
    );
  });

  test('when in production with both secrets set, then they are returned', () => {
    expect(
      resolveSecrets({ NODE_ENV: 'production', MASTER_KEY: 'sk-prod-key', INTERNAL_SECRET: 's'.repeat(32) }),
    ).toEqual({ masterKey: 'sk-prod-key', internalSecret: 's'.repeat(32) });
  });

  test('when in production with LITELLM_MASTER_KEY only, then it is accepted', () => {
    expect(
      resolveSecrets({
        NODE_ENV: 'production',
        LITELLM_MASTER_KEY: 'sk-litellm-prod',
        INTERNAL_SECRET: 's'.repeat(40),
      }),
    ).toEqual({ masterKey: 'sk-litellm-prod', internalSecret: 's'.repeat(40) });
  });
});
