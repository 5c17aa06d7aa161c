import { invitationJob, type SmtpSink, startSmtpSink, TcpFaultProxy, waitFor } from '@llmgw/testing';
import request from 'supertest';
import { type NotifierHarness, REDIS_URL, startNotifier } from './notifier-harness';

describe('health', () => {
  let proxy: TcpFaultProxy;
  let n: NotifierHarness;

  beforeAll(async () => {
    const redisPort = Number(new URL(REDIS_URL).port || 6379);
    proxy = await new TcpFaultProxy(redisPort, new URL(REDIS_URL).hostname).start();
    n = await startNotifier({ redisUrl: `redis://127.0.0.1:${proxy.port}` });
  });
  afterAll(async () => {
    proxy.restore();
    await n?.close();
    await proxy?.stop();
  });

  test('when the process runs, then /health/liveliness answers 200', async () => {
    const res = await request(n.app).get('/health/liveliness');
    expect(res.status).toBe(200);
    expect(res.body).toBe("I'm alive!");
  });

  test('when Redis is reachable, then /health/readiness is 200 and healthy', async () => {
    const res = await request(n.app).get('/health/readiness');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'healthy', cache: 'connected', version: expect.any(String) });
  });

  test('when Redis is cut off, then readiness is 503, the admin routes are 503 and /metrics still answers', async () => {
    proxy.cut();
    try {
      await waitFor(async () => (await request(n.app).get('/health/readiness')).status === 503);
      const ready = await request(n.app).get('/health/readiness');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({
        status: 'unhealthy',
        cache: expect.stringMatching(/^Not connected: /),
        version: expect.any(String),
      });

      const failed = await request(n.app).get('/email/failed').set(n.as('proxy_admin'));
      expect(failed.status).toBe(503);
      expect(failed.body).toEqual({
        error: {
          message: 'the email queue is unavailable (Redis), retry shortly',
          type: 'service_unavailable',
          param: null,
          code: '503',
        },
      });
      const metrics = await request(n.app).get('/metrics');
      expect(metrics.status).toBe(200);
    } finally {
      proxy.restore();
    }
    await waitFor(async () => (await request(n.app).get('/health/readiness')).status === 200, 15_000);
  });

  test('when shutdown has begun, then readiness is 503 "shutting down"', async () => {
    n.readiness.accepting = false;
    const res = await request(n.app).get('/health/readiness');
    n.readiness.accepting = true;
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'shutting down', cache: 'connected', version: expect.any(String) });
  });
});

describe('graceful worker shutdown', () => {
  let sink: SmtpSink;
  let n: NotifierHarness;

  beforeAll(async () => {
    sink = await startSmtpSink();
    n = await startNotifier({ smtpUrl: sink.url });
  });
  afterAll(async () => {
    await n?.close();
    await sink?.stop();
  });

  test('when the worker is closed while an email is being sent, then close waits for it and the email arrives once', async () => {
    sink.dataDelayMs = 1500;
    const dataStarted = new Promise<void>((resolve) => {
      sink.onDataStart = resolve;
    });
    await n.producer.enqueue('inv-shutdown', invitationJob({ to: 'in.flight@example.com' }));
    await dataStarted;

    const started = Date.now();
    await n.worker.close();
    console.log(`worker.close() waited ${Date.now() - started} ms for the email in flight`);

    expect(sink.messages.map((m) => m.to)).toEqual([['in.flight@example.com']]);
    expect(await n.producer.state('inv-shutdown')).toBe('completed');
  });
});
