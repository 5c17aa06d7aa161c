/**
 * A gateway whose Redis goes away: keys it already holds keep working for a bounded time
 * (AUTH_STALE_IF_ERROR_MS; the bound itself is unit-tested in apps/gateway/src/auth), unknown keys get a
 * clear 503 (fail closed), and it recovers by itself. Only this test's gateway loses Redis: it reaches
 * the shared Redis through a TCP fault proxy of its own.
 */
import { randomBytes } from 'node:crypto';
import { type SpawnedApp, TcpFaultProxy } from '@llmgw/testing';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('keys: a gateway that loses Redis', () => {
  let stack: Stack;
  let proxy: TcpFaultProxy;
  let gateway: SpawnedApp;

  beforeAll(async () => {
    stack = await startStack();
    const redisPort = Number(new URL(stack.redisUrl).port || 6379);
    proxy = await new TcpFaultProxy(redisPort).start();
    // A short local TTL, so that the answer during the outage comes from the stale-if-error path.
    gateway = await stack.startGateway({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      AUTH_LOCAL_TTL_MS: '100',
    });
  });
  afterAll(async () => {
    proxy?.restore();
    await stack?.stop();
    await proxy?.stop();
  });

  test('when Redis is cut, then a key already in memory still works past its local TTL, an unknown key gets 503, and after Redis is back both behave normally', async () => {
    const gen = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body: {} });
    const key = (gen.body as { key: string }).key;
    const unknown = `sk-${randomBytes(16).toString('base64url')}`;
    expect((await call(`${gateway.baseUrl}/v1/models`, { key })).status).toBe(200);
    // The key's creation publishes an invalidation, which reaches this gateway through the proxy; if it
    // lands while the first lookup runs, that lookup is answered but not kept (by design). Past the local
    // TTL, a second lookup loads the record again, long after the message, and keeps it.
    await sleep(150);
    expect((await call(`${gateway.baseUrl}/v1/models`, { key })).status).toBe(200);

    proxy.cut();
    await sleep(300);
    const cached = await call(`${gateway.baseUrl}/v1/models`, { key });
    const stranger = await call(`${gateway.baseUrl}/v1/models`, { key: unknown });

    expect(cached.status).toBe(200);
    expect(stranger.status).toBe(503);
    expect(stranger.body).toEqual({
      error: {
        message: 'Authentication backend (Redis) is unavailable. Retry shortly.',
        type: 'service_unavailable',
        param: null,
        code: '503',
      },
    });

    proxy.restore();
    let back = await call(`${gateway.baseUrl}/v1/models`, { key: unknown });
    for (let i = 0; i < 200 && back.status === 503; i++) {
      await sleep(50);
      back = await call(`${gateway.baseUrl}/v1/models`, { key: unknown });
    }
    expect(back.status).toBe(401);
    expect((await call(`${gateway.baseUrl}/v1/models`, { key })).status).toBe(200);
  });
});
