import { firstLink, invitationJob, type SmtpSink, sleep, startSmtpSink } from '@llmgw/testing';
import request from 'supertest';
import { type NotifierHarness, startNotifier } from './notifier-harness';

const OUTAGE_MS = 30_000;

describe('SMTP outage', () => {
  let sink: SmtpSink;
  let n: NotifierHarness;

  beforeAll(async () => {
    sink = await startSmtpSink();
    // Short backoff so the test waits for the outage, not for the retry schedule: 0.5 s doubling to 2 s.
    n = await startNotifier({
      smtpUrl: sink.url,
      retry: { attempts: 60, backoffMs: 500, maxBackoffMs: 2000 },
    });
  });
  afterAll(async () => {
    await n?.close();
    await sink?.stop();
  });

  test(
    'when the SMTP server is down for 30 s and then comes back, then the email arrives exactly once, after retries',
    async () => {
      const job = invitationJob({ to: 'waiting.for.smtp@example.com' });
      await sink.stop();
      const started = Date.now();
      await n.producer.enqueue('inv-outage', job);

      await sleep(OUTAGE_MS);
      expect(sink.messages).toEqual([]);
      expect(await n.producer.state('inv-outage')).toMatch(/^(delayed|waiting|active)$/);
      const during = await request(n.app).get('/metrics');
      const retried = Number(
        /llmgw_email_retried_total\{template="invitation"\} (\d+)/.exec(during.text)?.[1],
      );
      expect(retried).toBeGreaterThan(1);

      await sink.start();
      const [mail] = await sink.waitForMessages(1, 15_000);
      console.log(
        `delivered ${Date.now() - started} ms after enqueue, after ${retried} retries during the outage`,
      );
      const done = await n.producer.waitForState('inv-outage', 'completed');
      await sleep(1000);

      expect(sink.messages).toHaveLength(1);
      expect(mail?.to).toEqual(['waiting.for.smtp@example.com']);
      expect(firstLink(mail?.text ?? '')).toBe(job.link);
      // Every try but the last was a retry, counted by the metric.
      const after = await request(n.app).get('/metrics');
      const retriedTotal = Number(
        /llmgw_email_retried_total\{template="invitation"\} (\d+)/.exec(after.text)?.[1],
      );
      expect(done.attemptsStarted).toBe(retriedTotal + 1);
      expect(done.attemptsMade).toBe(1);
      const failed = await request(n.app).get('/email/failed').set(n.as('proxy_admin'));
      expect(failed.body.total).toBe(0);
    },
    OUTAGE_MS + 40_000,
  );
});
