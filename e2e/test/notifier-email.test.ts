/**
 * The notifier as its own process in the whole stack, sending to a real SMTP server started here;
 * admins reach /email/* through the gateway. Jobs are enqueued as identity enqueues them (contracts'
 * queue, prefix and EMAIL_JOB_OPTIONS).
 */
import {
  createEmailProducer,
  type EmailProducer,
  firstLink,
  invitationJob,
  type SmtpSink,
  sleep,
  startSmtpSink,
} from '@llmgw/testing';
import { call, MASTER_KEY, type Stack, startStack } from '../src/stack';

describe('notifier in the stack: SMTP delivery, failed emails through the gateway, SIGTERM', () => {
  let sink: SmtpSink;
  let stack: Stack;
  let producer: EmailProducer;

  beforeAll(async () => {
    sink = await startSmtpSink();
    sink.rejectRecipients.add('typo@example.com');
    stack = await startStack({
      SMTP_URL: sink.url,
      EMAIL_ATTEMPTS: '5',
      EMAIL_BACKOFF_MS: '100',
      EMAIL_BACKOFF_MAX_MS: '500',
    });
    producer = await createEmailProducer(stack.redisUrl, stack.redisPrefix);
  });
  afterAll(async () => {
    await producer?.queue.obliterate({ force: true }).catch(() => {});
    await producer?.close();
    await stack?.stop();
    await sink?.stop();
  });
  beforeEach(() => {
    sink.messages.length = 0;
  });

  test('when identity enqueues an invitation, then exactly one email with the link reaches the SMTP server', async () => {
    const job = invitationJob({ to: 'e2e.invitee@example.com' });
    await producer.enqueue('e2e-inv-1', job);
    await producer.enqueue('e2e-inv-1', job);

    const [mail] = await sink.waitForMessages(1);
    await producer.waitForState('e2e-inv-1', 'completed');
    await sleep(300);
    expect(sink.messages).toHaveLength(1);
    expect(mail?.to).toEqual(['e2e.invitee@example.com']);
    expect(mail?.subject).toBe("You're invited to Acme's LLM gateway");
    expect(firstLink(mail?.text ?? '')).toBe(job.link);
  });

  test('when the server answers 550, then the admin sees the failed email through the gateway and a fixed retry delivers it', async () => {
    await producer.enqueue('e2e-inv-550', invitationJob({ to: 'typo@example.com' }));
    await producer.waitForState('e2e-inv-550', 'failed');

    const failed = await call(`${stack.gatewayUrl}/email/failed`, { key: MASTER_KEY });
    expect(failed.status).toBe(200);
    expect(failed.body).toEqual({
      jobs: [
        {
          job_id: 'e2e-inv-550',
          template: 'invitation',
          to: 'typo@example.com',
          failed_reason: expect.stringMatching(/^permanent SMTP failure: EENVELOPE 550 /),
          attempts_made: 1,
          created_at: expect.any(String),
          processed_at: expect.any(String),
          failed_at: expect.any(String),
        },
      ],
      total: 1,
      page: 1,
      page_size: 25,
      total_pages: 1,
    });

    const retried = await call(`${stack.gatewayUrl}/email/retry`, {
      key: MASTER_KEY,
      body: { job_id: 'e2e-inv-550', to: 'fixed@example.com' },
    });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({
      job_id: 'e2e-inv-550',
      template: 'invitation',
      to: 'fixed@example.com',
      status: 'queued',
    });
    const [mail] = await sink.waitForMessages(1);
    expect(mail?.to).toEqual(['fixed@example.com']);
    await producer.waitForState('e2e-inv-550', 'completed');
  });

  test('when a virtual key that is not an admin asks for failed emails through the gateway, then 403', async () => {
    const gen = await call(`${stack.gatewayUrl}/key/generate`, { key: MASTER_KEY, body: {} });
    expect(gen.status).toBe(200);
    const key = (gen.body as { key: string }).key;

    const res = await call(`${stack.gatewayUrl}/email/failed`, { key });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: {
        message: 'user not allowed to access this route, role= unknown. Trying to access: /email/failed',
        type: 'auth_error',
        param: 'None',
        code: '403',
      },
    });
  });

  test('when nobody is authenticated, then the gateway answers 401 before the notifier is asked', async () => {
    const res = await call(`${stack.gatewayUrl}/email/failed`);
    expect(res.status).toBe(401);
  });

  test('when the notifier is scraped on its own port, then /metrics counts the emails sent and failed', async () => {
    const res = await call(`${stack.apps.notifier.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('llmgw_email_sent_total{template="invitation"} 2');
    expect(res.text).toContain('llmgw_email_failed_total{template="invitation",reason="permanent"} 1');
    expect(res.text).toContain('llmgw_email_queue_jobs{state="completed"} 2');
  });

  test('when the notifier gets SIGTERM while an email is being sent, then that email still arrives and the process exits 0', async () => {
    sink.dataDelayMs = 1500;
    const dataStarted = new Promise<void>((resolve) => {
      sink.onDataStart = resolve;
    });
    await producer.enqueue('e2e-inv-sigterm', invitationJob({ to: 'in.flight@example.com' }));
    await dataStarted;

    const code = await stack.apps.notifier.stop('SIGTERM');

    expect(code).toBe(0);
    expect(sink.messages.map((m) => m.to)).toEqual([['in.flight@example.com']]);
    expect(await producer.state('e2e-inv-sigterm')).toBe('completed');
  });
});
