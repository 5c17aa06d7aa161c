import http from 'node:http';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

/** Reads an SSE response and records when each data frame arrived. */
function streamWithTimes(url: string, key: string, body: unknown, abortAfterFrames?: number) {
  return new Promise<{ frames: { at: number; data: string }[]; status: number }>((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const frames: { at: number; data: string }[] = [];
        let pending = '';
        res.on('data', (chunk: Buffer) => {
          const at = performance.now();
          pending += chunk.toString();
          let i = pending.indexOf('\n\n');
          while (i !== -1) {
            const frame = pending.slice(0, i).trim();
            pending = pending.slice(i + 2);
            if (frame.startsWith('data: ')) frames.push({ at, data: frame.slice(6) });
            i = pending.indexOf('\n\n');
          }
          if (abortAfterFrames !== undefined && frames.length >= abortAfterFrames) {
            req.destroy();
            resolve({ frames, status: res.statusCode ?? 0 });
          }
        });
        res.on('end', () => resolve({ frames, status: res.statusCode ?? 0 }));
        res.on('error', () => resolve({ frames, status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', (err) => (abortAfterFrames === undefined ? reject(err) : undefined));
    req.end(payload);
  });
}

describe('streaming through the gateway', () => {
  let stack: Stack;
  let key: string;
  const mockStats = async () =>
    (await call(`${stack.apps['mock-llm'].baseUrl}/mock/stats`)).body as { aborted: number };

  let broken: http.Server;

  beforeAll(async () => {
    // An upstream that sends two frames and then drops the connection.
    broken = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (content: string) =>
        `data: ${JSON.stringify({ id: 'chatcmpl-broken', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;
      res.write(chunk('half'));
      setTimeout(() => {
        res.write(chunk(' an answer'));
        setTimeout(() => res.socket?.destroy(), 20);
      }, 20);
    });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', () => r()));
    const port = (broken.address() as { port: number }).port;
    // mock-llm sends one frame every 50 ms.
    stack = await startStack(
      { MOCK_CHUNK_DELAY_MS: '50' },
      {
        extraModelsYaml: `  - model_name: broken-stream
    litellm_params:
      model: openai/broken
      api_base: http://127.0.0.1:${port}/v1
`,
      },
    );
    const gen = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body: {} });
    key = (gen.body as { key: string }).key;
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => broken.close(r));
  });

  it('when the upstream sends a frame every 50 ms, then each frame reaches the client on its own, unbuffered', async () => {
    const { frames, status } = await streamWithTimes(`${stack.gatewayUrl}/v1/chat/completions`, key, {
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
      mock_response: 'one two three four five six',
    });
    expect(status).toBe(200);
    expect(frames.at(-1)?.data).toBe('[DONE]');
    const content = frames.filter((f) => f.data.includes('"content"'));
    const gaps = content.slice(1).map((f, i) => f.at - (content[i] as { at: number }).at);
    console.log(`frame gaps at the client (upstream: 50 ms): ${gaps.map((g) => g.toFixed(1)).join(', ')} ms`);
    // Buffering would deliver frames together (gaps near 0) or all at the end; unbuffered frames keep
    // the upstream's spacing.
    for (const gap of gaps) expect(gap).toBeGreaterThan(25);
    expect(content.map((f) => JSON.parse(f.data).choices[0].delta.content).join('')).toBe(
      'one two three four five six',
    );
  });

  it('when the client disconnects mid-stream, then the upstream request is aborted too', async () => {
    await call(`${stack.apps['mock-llm'].baseUrl}/mock/stats/reset`, { body: {} });
    const { frames } = await streamWithTimes(
      `${stack.gatewayUrl}/v1/chat/completions`,
      key,
      {
        model: 'gpt-4o',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
        mock_response: 'a b c d e f g h i j k l m n o p',
      },
      3,
    );
    expect(frames.length).toBeGreaterThanOrEqual(3);
    let aborted = 0;
    for (let i = 0; i < 40 && aborted === 0; i++) {
      aborted = (await mockStats()).aborted;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(aborted).toBe(1);
  });

  it('when the upstream dies mid-stream, then the client gets an error frame and data: [DONE]', async () => {
    const { frames, status } = await streamWithTimes(`${stack.gatewayUrl}/v1/chat/completions`, key, {
      model: 'broken-stream',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(status).toBe(200);
    expect(
      frames
        .map((f) => f.data)
        .slice(0, 2)
        .map((d) => JSON.parse(d).choices[0].delta.content),
    ).toEqual(['half', ' an answer']);
    expect(frames.at(-1)?.data).toBe('[DONE]');
    expect(JSON.parse(frames.at(-2)?.data ?? '{}')).toEqual({
      error: {
        message: 'upstream connection lost mid-stream',
        type: 'api_connection_error',
        param: null,
        code: '502',
      },
    });
  });
});
