import { type ClientRequest, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { Stats } from './stats';
import { close, listen, mockApp } from './test-support';

const chatStream = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }], ...extra });

interface Outcome {
  status: number | undefined;
  received: string;
  /** How the response ended: 'end' (complete), 'aborted' (cut short) or the client error code. */
  ending: string;
}

/** Sends one request and collects everything until the response ends one way or another. */
function exchange(
  port: number,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<Outcome> {
  return new Promise((resolve) => {
    let received = '';
    let status: number | undefined;
    let settled = false;
    const settle = (ending: string) => {
      if (settled) return;
      settled = true;
      resolve({ status, received, ending });
    };
    const req = httpRequest(
      {
        port,
        host: '127.0.0.1',
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        status = res.statusCode;
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          received += d;
        });
        res.on('aborted', () => settle('aborted'));
        res.on('error', () => settle('aborted'));
        res.on('end', () => settle(res.complete ? 'end' : 'aborted'));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.message));
    req.end(body);
  });
}

/** Starts a request and resolves as soon as the first response bytes arrive. */
function startStream(
  port: number,
  body: string,
  headers: Record<string, string>,
): Promise<{ req: ClientRequest; res: IncomingMessage; first: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        port,
        host: '127.0.0.1',
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.setEncoding('utf8');
        res.once('data', (first: string) => resolve({ req, res, first }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function fetchStats(port: number): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}/mock/stats`);
  return (await res.json()) as Record<string, unknown>;
}

describe('streaming over real sockets', () => {
  let server: Server;
  let port: number;
  let stats: Stats;

  beforeEach(async () => {
    stats = new Stats();
    ({ server, port } = await listen(mockApp({}, { stats })));
  });

  afterEach(async () => {
    await close(server);
  });

  test('when x-mock-fail-after-chunks is 2, then the client gets the role chunk and 2 words, then the connection ends without [DONE]', async () => {
    const outcome = await exchange(port, '/v1/chat/completions', chatStream(), {
      'x-mock-fail-after-chunks': '2',
    });

    expect(outcome.status).toBe(200);
    expect(outcome.ending).not.toBe('end');
    const frames = outcome.received.split('\n\n').filter((f) => f !== '');
    expect(frames).toHaveLength(3);
    expect(frames.map((f) => JSON.parse(f.slice('data: '.length)).choices[0].delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'This' },
      { content: ' is' },
    ]);
    expect(outcome.received).not.toContain('[DONE]');
    await until(() => stats.failed === 1);
    expect(stats.toJSON()).toMatchObject({ requests: 1, completed: 0, aborted: 0, failed: 1, inFlight: 0 });
  });

  test('when the failure is set with a chunk delay, then the stream is cut at the same place', async () => {
    const outcome = await exchange(port, '/v1/completions', JSON.stringify({ model: 'm', stream: true }), {
      'x-mock-fail-after-chunks': '1',
      'x-mock-chunk-delay-ms': '1',
    });

    expect(outcome.status).toBe(200);
    expect(outcome.ending).not.toBe('end');
    const frames = outcome.received.split('\n\n').filter((f) => f !== '');
    expect(frames.map((f) => JSON.parse(f.slice('data: '.length)).choices[0].text)).toEqual(['This']);
  });

  test('when x-mock-fail-after-chunks is set on a non-stream request, then the connection drops with no response', async () => {
    const outcome = await exchange(
      port,
      '/v1/chat/completions',
      JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      { 'x-mock-fail-after-chunks': '0' },
    );

    expect(outcome).toEqual({ status: undefined, received: '', ending: 'ECONNRESET' });
    await until(() => stats.failed === 1);
  });

  test('when the client aborts mid-stream, then stats count it as aborted and nothing stays in flight', async () => {
    const { req, first } = await startStream(port, chatStream(), {
      'x-mock-chunks': '1000',
      'x-mock-chunk-delay-ms': '20',
    });
    expect(first).toContain('"role":"assistant"');

    req.destroy();

    await until(() => stats.aborted === 1);
    expect(await fetchStats(port)).toMatchObject({
      requests: 1,
      completed: 0,
      aborted: 1,
      failed: 0,
      inFlight: 0,
    });
  });

  test('when the client aborts during the latency wait, then it is counted as aborted', async () => {
    const req = httpRequest({
      port,
      host: '127.0.0.1',
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-latency-ms': '60000' },
    });
    req.on('error', () => {});
    req.end(chatStream());
    await until(() => stats.lastRequest !== null);

    req.destroy();

    await until(() => stats.aborted === 1);
    expect(stats.toJSON()).toMatchObject({ requests: 1, completed: 0, aborted: 1, inFlight: 0 });
  });

  test('when a slow stream runs to the end, then it is counted as completed', async () => {
    const outcome = await exchange(port, '/v1/chat/completions', chatStream(), {
      'x-mock-chunks': '3',
      'x-mock-chunk-delay-ms': '1',
      'x-mock-latency-ms': '1',
    });

    expect(outcome.status).toBe(200);
    expect(outcome.ending).toBe('end');
    expect(outcome.received.endsWith('data: [DONE]\n\n')).toBe(true);
    await until(() => stats.completed === 1);
    expect(stats.toJSON()).toMatchObject({ requests: 1, completed: 1, aborted: 0, failed: 0, inFlight: 0 });
  });
});
