import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogger, logRequest, safeUrl } from './logger';

function capture(level = 'info') {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'unit',
    level,
    destination: {
      write: (line: string) => {
        lines.push(line);
      },
    },
  });
  const records = () =>
    lines.map((l) => {
      const { time: _time, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
  return { logger, lines, records };
}

const SECRETS = {
  authorization: 'Bearer sk-authorization-secret',
  cookie: 'llmgw_session=cookie-secret',
  litellmKey: 'sk-litellm-header-secret',
  apiKeyHeader: 'azure-header-secret',
  xApiKey: 'anthropic-header-secret',
  googKey: 'goog-header-secret',
  apim: 'apim-header-secret',
  csrf: 'csrf-secret',
  principal: 'signed-principal-secret',
  setCookie: 'llmgw_session=set-cookie-secret',
  password: 'password-secret',
  key: 'sk-key-secret',
  apiKey: 'api-key-secret',
  masterKey: 'sk-master-secret',
  nestedPassword: 'nested-password-secret',
  nestedKey: 'sk-nested-key-secret',
  nestedApiKey: 'nested-api-key-secret',
  nestedMasterKey: 'sk-nested-master-secret',
  token: 'token-secret',
  secret: 'secret-secret',
};

describe('createLogger', () => {
  test('when logging, then each line is JSON with the level label, service name and message', () => {
    const { logger, lines, records } = capture();

    logger.info({ reqId: 'r1' }, 'hello');

    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(records()).toEqual([{ level: 'info', svc: 'unit', name: 'unit', reqId: 'r1', msg: 'hello' }]);
    expect(JSON.parse(lines[0]!).time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  test('when the level is warn, then info lines are dropped', () => {
    const { logger, records } = capture('warn');

    logger.info('dropped');
    logger.warn('kept');

    expect(records()).toEqual([{ level: 'warn', svc: 'unit', name: 'unit', msg: 'kept' }]);
  });

  test('when request and response headers carry credentials, then every one is redacted', () => {
    const { logger, lines, records } = capture();

    logger.info(
      {
        req: {
          method: 'POST',
          headers: {
            authorization: SECRETS.authorization,
            cookie: SECRETS.cookie,
            'x-litellm-api-key': SECRETS.litellmKey,
            'api-key': SECRETS.apiKeyHeader,
            'x-api-key': SECRETS.xApiKey,
            'x-goog-api-key': SECRETS.googKey,
            'ocp-apim-subscription-key': SECRETS.apim,
            'x-csrf-token': SECRETS.csrf,
            'x-llmgw-principal': SECRETS.principal,
            'content-type': 'application/json',
          },
        },
        res: { headers: { 'set-cookie': SECRETS.setCookie, 'content-length': '2' } },
      },
      'request',
    );

    expect(records()).toEqual([
      {
        level: 'info',
        svc: 'unit',
        name: 'unit',
        msg: 'request',
        req: {
          method: 'POST',
          headers: {
            authorization: '[redacted]',
            cookie: '[redacted]',
            'x-litellm-api-key': '[redacted]',
            'api-key': '[redacted]',
            'x-api-key': '[redacted]',
            'x-goog-api-key': '[redacted]',
            'ocp-apim-subscription-key': '[redacted]',
            'x-csrf-token': '[redacted]',
            'x-llmgw-principal': '[redacted]',
            'content-type': 'application/json',
          },
        },
        res: { headers: { 'set-cookie': '[redacted]', 'content-length': '2' } },
      },
    ]);
    for (const secret of Object.values(SECRETS)) expect(lines.join('')).not.toContain(secret);
  });

  test('when secret fields appear at the top level and one level down, then they are redacted', () => {
    const { logger, lines, records } = capture();

    logger.warn(
      {
        password: SECRETS.password,
        key: SECRETS.key,
        api_key: SECRETS.apiKey,
        master_key: SECRETS.masterKey,
        token: SECRETS.token,
        secret: SECRETS.secret,
        user: 'alice',
        body: {
          password: SECRETS.nestedPassword,
          key: SECRETS.nestedKey,
          api_key: SECRETS.nestedApiKey,
          master_key: SECRETS.nestedMasterKey,
          key_alias: 'ci-key',
        },
      },
      'login',
    );

    expect(records()).toEqual([
      {
        level: 'warn',
        svc: 'unit',
        name: 'unit',
        msg: 'login',
        password: '[redacted]',
        key: '[redacted]',
        api_key: '[redacted]',
        master_key: '[redacted]',
        token: '[redacted]',
        secret: '[redacted]',
        user: 'alice',
        body: {
          password: '[redacted]',
          key: '[redacted]',
          api_key: '[redacted]',
          master_key: '[redacted]',
          key_alias: 'ci-key',
        },
      },
    ]);
    const output = lines.join('');
    for (const secret of Object.values(SECRETS)) expect(output).not.toContain(secret);
    expect(output).toContain('[redacted]');
  });

  test('when camelCase secret fields are logged, then apiKey and masterKey are redacted too', () => {
    const { logger, records } = capture();

    logger.info({ apiKey: SECRETS.apiKey, cfg: { masterKey: SECRETS.masterKey } }, 'boot');

    expect(records()).toEqual([
      {
        level: 'info',
        svc: 'unit',
        name: 'unit',
        msg: 'boot',
        apiKey: '[redacted]',
        cfg: { masterKey: '[redacted]' },
      },
    ]);
  });

  test('when a child logger logs a secret, then it is redacted as well', () => {
    const { logger, lines } = capture();

    logger.child({ reqId: 'r9' }).info({ body: { api_key: SECRETS.nestedApiKey } }, 'child');

    expect(lines.join('')).not.toContain(SECRETS.nestedApiKey);
    expect(JSON.parse(lines[0]!).body).toEqual({ api_key: '[redacted]' });
  });
});

describe('safeUrl', () => {
  test.each([
    [
      '/v1beta/models/gemini:generateContent?key=AIza-secret',
      '/v1beta/models/gemini:generateContent?key=[redacted]',
    ],
    ['/x?api_key=sk-secret&alt=sse', '/x?api_key=[redacted]&alt=sse'],
    ['/x?alt=sse&token=tok-secret', '/x?alt=sse&token=[redacted]'],
    ['/login?user=a&password=hunter2', '/login?user=a&password=[redacted]'],
    ['/x?KEY=upper-secret', '/x?KEY=[redacted]'],
    ['/x?key=a&key=b', '/x?key=[redacted]&key=[redacted]'],
    ['/x?key=', '/x?key=[redacted]'],
  ])('when the url is %s, then it is logged as %s', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });

  test.each([
    ['/v1/chat/completions', '/v1/chat/completions'],
    ['/key/info?key_alias=ci', '/key/info?key_alias=ci'],
    ['/x?monkey=1&page=2', '/x?monkey=1&page=2'],
    ['/x?', '/x?'],
  ])('when the url %s has no secret parameter, then it is unchanged', (url, expected) => {
    expect(safeUrl(url)).toBe(expected);
  });

  test('when the url is undefined, then it is an empty string', () => {
    expect(safeUrl(undefined)).toBe('');
  });
});

describe('logRequest', () => {
  const req = (url: string) => ({ method: 'GET', url }) as IncomingMessage;
  const res = (statusCode: number) => ({ statusCode }) as ServerResponse;

  test.each([
    [200, 'info'],
    [404, 'warn'],
    [503, 'error'],
  ])('when the response status is %d, then the line is logged at %s', (status, level) => {
    const { logger, records } = capture();

    logRequest(logger, req('/v1/models'), res(status), 'req-1', process.hrtime.bigint());

    expect(records()).toEqual([
      {
        level,
        svc: 'unit',
        name: 'unit',
        msg: 'request',
        reqId: 'req-1',
        method: 'GET',
        url: '/v1/models',
        status,
        ms: expect.any(Number),
      },
    ]);
  });

  test('when the url carries ?key=, then the logged url has it redacted', () => {
    const { logger, lines, records } = capture();

    logRequest(
      logger,
      req('/v1beta/models/g:generateContent?key=AIza-secret'),
      res(200),
      'r',
      process.hrtime.bigint(),
    );

    expect(records()[0]!.url).toBe('/v1beta/models/g:generateContent?key=[redacted]');
    expect(lines.join('')).not.toContain('AIza-secret');
  });
});
