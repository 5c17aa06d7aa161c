import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callUpstream } from '../src/llm/upstream';
import type { Deployment } from '../src/models/model-config';

/** A real upstream and a real front server calling it through callUpstream, on loopback. */
describe('upstream headers passed on as llm_provider-*', () => {
  let upstream: http.Server;
  let front: http.Server;
  let frontUrl: string;
  let upstreamHeaders: Record<string, string | string[]> = {};

  const listen = (server: http.Server) =>
    new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );

  beforeAll(async () => {
    upstream = http.createServer((_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json', ...upstreamHeaders });
      res.end('{"id":"chatcmpl-1","choices":[]}');
    });
    const upstreamPort = await listen(upstream);
    const deployment: Deployment = {
      modelName: 'm',
      upstreamModel: 'm',
      id: 'm-0',
      apiBase: `http://127.0.0.1:${upstreamPort}/v1`,
      apiKey: null,
      rpm: null,
      tpm: null,
      inputCostPerToken: null,
      outputCostPerToken: null,
      publicParams: {},
    };
    front = http.createServer((_req, res) => {
      void callUpstream(
        {
          deployment,
          path: '/chat/completions',
          body: '{}',
          stream: false,
          timeoutMs: 5000,
          responseHeaders: [],
        },
        res,
      );
    });
    frontUrl = `http://127.0.0.1:${await listen(front)}`;
  });
  afterAll(async () => {
    await new Promise((r) => front.close(r));
    await new Promise((r) => upstream.close(r));
  });

  test('when the upstream sends cookies and hop-by-hop headers, then those are not echoed; the rest are', async () => {
    upstreamHeaders = { 'set-cookie': ['__cf_bm=secret; Path=/'], 'openai-processing-ms': '12' };
    const res = await fetch(frontUrl, { method: 'POST' });
    expect(res.status).toBe(200);
    const echoed = Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('llm_provider-')));
    expect(echoed).toEqual({
      'llm_provider-content-type': 'application/json',
      'llm_provider-openai-processing-ms': '12',
      'llm_provider-date': expect.stringMatching(/ GMT$/),
    });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await res.json()).toEqual({ id: 'chatcmpl-1', choices: [] });
  });

  test('when the upstream headers are larger than 2 KB, then only the first 2 KB of them are echoed', async () => {
    upstreamHeaders = { 'x-small': 'a', 'x-huge': 'b'.repeat(3000), 'x-after': 'c' };
    const res = await fetch(frontUrl, { method: 'POST' });
    expect(res.status).toBe(200);
    const echoed = [...res.headers].filter(([name]) => name.startsWith('llm_provider-')).map(([n]) => n);
    // Headers are echoed in the upstream's order until the budget runs out, so nothing after x-huge.
    expect(echoed.sort()).toEqual(['llm_provider-content-type', 'llm_provider-x-small']);
    expect(res.headers.get('x-huge')).toBeNull();
  });
});
