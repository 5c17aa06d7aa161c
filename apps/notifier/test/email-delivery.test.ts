import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  firstLink,
  invitationJob,
  parseMessage,
  type SmtpSink,
  sleep,
  startSmtpSink,
  waitFor,
} from '@llmgw/testing';
import request from 'supertest';
import { FROM, type NotifierHarness, startNotifier } from './notifier-harness';

describe('email delivery through SMTP', () => {
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
  beforeEach(() => {
    sink.messages.length = 0;
    sink.rcptAttempts.length = 0;
  });

  test('when an invitation job is enqueued, then exactly one email arrives for that recipient with the onboarding link', async () => {
    const job = invitationJob({ to: 'first.invitee@example.com', invitedBy: 'Ada Admin', orgName: 'Acme' });
    await n.producer.enqueue('inv-delivery-1', job);

    await n.producer.waitForState('inv-delivery-1', 'completed');
    const [mail] = await sink.waitForMessages(1);
    await sleep(300);
    expect(sink.messages).toHaveLength(1);
    expect(mail?.to).toEqual(['first.invitee@example.com']);
    expect(mail?.from).toBe('no-reply@gw.example.com');
    expect(mail?.headers.to).toBe('first.invitee@example.com');
    expect(mail?.subject).toBe("You're invited to Acme's LLM gateway");
    expect(firstLink(mail?.text ?? '')).toBe(job.link);
    expect(mail?.text).toContain('Ada Admin invited you');
    expect(mail?.text).toContain('expires on 2030-01-08 12:00 UTC');
    expect(mail?.html).toContain(`href="${job.link}"`);
  });

  test('when the same job id is enqueued twice (at once and after delivery), then one email arrives', async () => {
    const job = invitationJob({ to: 'twice@example.com' });
    await Promise.all([n.producer.enqueue('inv-dup-1', job), n.producer.enqueue('inv-dup-1', job)]);
    await n.producer.waitForState('inv-dup-1', 'completed');
    await n.producer.enqueue('inv-dup-1', job);
    await sleep(500);

    expect(await n.producer.state('inv-dup-1')).toBe('completed');
    expect(sink.messages.map((m) => m.to)).toEqual([['twice@example.com']]);
  });

  test('when an email was sent, then the job log line names the job id and the link is not logged', async () => {
    const job = invitationJob({ to: 'logged@example.com' });
    await n.producer.enqueue('inv-log-1', job);
    await n.producer.waitForState('inv-log-1', 'completed');

    const line = n.logs().find((l) => l.msg === 'email sent' && l.jobId === 'inv-log-1');
    expect(line).toMatchObject({
      jobId: 'inv-log-1',
      template: 'invitation',
      to: 'logged@example.com',
      attempt: 1,
      transport: 'smtp',
      messageId: expect.any(String),
    });
    expect(JSON.stringify(n.logs())).not.toContain(job.link);
  });

  test('when a password-reset job is enqueued, then its email arrives with the reset link', async () => {
    await n.producer.enqueue('reset-1', {
      template: 'password_reset',
      to: 'forgetful@example.com',
      link: 'https://gw.example.com/ui/reset?id=r-1',
      expiresAt: '2030-01-01T00:00:00.000Z',
    });
    const [mail] = await sink.waitForMessages(1);
    expect(mail?.to).toEqual(['forgetful@example.com']);
    expect(mail?.subject).toBe('Reset your LLM gateway password');
    expect(firstLink(mail?.text ?? '')).toBe('https://gw.example.com/ui/reset?id=r-1');
  });

  test('when emails were sent, then /metrics counts them and shows the queue depth by state', async () => {
    const res = await request(n.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('llmgw_email_sent_total{template="invitation"} 3');
    expect(res.text).toContain('llmgw_email_sent_total{template="password_reset"} 1');
    expect(res.text).toContain('llmgw_email_queue_jobs{state="completed"} 4');
    expect(res.text).toContain('llmgw_email_queue_jobs{state="failed"} 0');
    expect(res.text).toContain('# TYPE llmgw_email_retried_total counter');
    expect(res.text).toContain('# TYPE llmgw_email_failed_total counter');
  });
});

describe('email delivery without SMTP_URL (dev outbox)', () => {
  let n: NotifierHarness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'notifier-outbox-'));
    n = await startNotifier({ outboxDir: join(dir, 'outbox') });
  });
  afterAll(async () => {
    await n?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('when an invitation job is enqueued, then one .eml file with the link appears in the outbox and the link is logged', async () => {
    const job = invitationJob({ to: 'outbox.user@example.com' });
    await n.producer.enqueue('inv-outbox-1', job);
    await n.producer.waitForState('inv-outbox-1', 'completed');

    await waitFor(() => readdirSync(join(dir, 'outbox')).length > 0);
    const files = readdirSync(join(dir, 'outbox'));
    expect(files).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d-]+Z-inv-outbox-1\.eml$/)]);
    const raw = readFileSync(join(dir, 'outbox', files[0] ?? ''), 'utf8');
    const mail = parseMessage(raw);
    expect(mail.headers.to).toBe('outbox.user@example.com');
    expect(mail.headers.from).toBe(FROM);
    expect(mail.subject).toBe("You're invited to Acme's LLM gateway");
    expect(firstLink(mail.text)).toBe(job.link);
    expect(mail.html).toContain(`href="${job.link}"`);

    const logged = n.logs().find((l) => l.jobId === 'inv-outbox-1' && typeof l.link === 'string');
    expect(logged).toMatchObject({
      level: 'info',
      link: job.link,
      to: 'outbox.user@example.com',
      file: join(dir, 'outbox', files[0] ?? ''),
    });
  });
});
