import { createLogger } from '@llmgw/http';
import { DelayedError, UnrecoverableError } from 'bullmq';
import { createNotifierMetrics } from '../metrics';
import type { MailTransport, OutgoingEmail } from '../transport/mail-transport';
import { createEmailProcessor, type ProcessableJob } from './email.processor';

const invitation = {
  template: 'invitation',
  to: 'new.user@example.com',
  link: 'https://gw.example.com/ui/onboarding?id=inv-1',
  invitedBy: 'Ada',
  orgName: 'Acme',
  expiresAt: '2024-05-22T10:00:00.000Z',
};

function fakeTransport(outcomes: Array<Error | 'ok'>) {
  const sent: OutgoingEmail[] = [];
  const transport: MailTransport = {
    kind: 'smtp',
    async send(email) {
      const next = outcomes.shift() ?? 'ok';
      if (next !== 'ok') throw next;
      sent.push(email);
      return { messageId: `<m${sent.length}@test>`, detail: '250 ok' };
    },
    async close() {},
  };
  return { transport, sent };
}

function fakeJob(data: unknown, attemptsStarted = 1) {
  const delayedTo: Array<{ at: number; token: string | undefined }> = [];
  const job: ProcessableJob = {
    id: 'inv-1',
    data,
    attemptsStarted,
    moveToDelayed: async (at: number, token?: string) => {
      delayedTo.push({ at, token });
    },
  };
  return { job, delayedTo };
}

const smtpError = (responseCode: number | undefined, code: string) =>
  Object.assign(new Error(`smtp said ${responseCode ?? code}`), { responseCode, code });

function setup(outcomes: Array<Error | 'ok'> = []) {
  const { transport, sent } = fakeTransport(outcomes);
  const metrics = createNotifierMetrics();
  const processor = createEmailProcessor({
    transport,
    metrics,
    logger: createLogger({ name: 'test', level: 'silent' }),
    retry: { attempts: 3, backoffMs: 1000, maxBackoffMs: 60_000 },
    now: () => 1_000_000,
  });
  const value = async (name: string) =>
    (await metrics.registry.getSingleMetric(name)?.get())?.values.map((v) => ({
      labels: v.labels,
      value: v.value,
    }));
  return { processor, sent, value };
}

describe('email processor', () => {
  test('when the job is valid and SMTP accepts it, then one rendered email goes to the recipient with its link', async () => {
    const { processor, sent, value } = setup();
    const { job } = fakeJob(invitation);

    await expect(processor(job, 'tok')).resolves.toEqual({ messageId: '<m1@test>', transport: 'smtp' });
    expect(sent).toEqual([
      {
        jobId: 'inv-1',
        to: 'new.user@example.com',
        link: invitation.link,
        subject: "You're invited to Acme's LLM gateway",
        text: expect.stringContaining(invitation.link),
        html: expect.stringContaining(`href="${invitation.link}"`),
      },
    ]);
    expect(await value('llmgw_email_sent_total')).toEqual([{ labels: { template: 'invitation' }, value: 1 }]);
  });

  test('when the payload does not match the schema, then the job fails without retry and nothing is sent', async () => {
    const { processor, sent, value } = setup();
    const { job, delayedTo } = fakeJob({ template: 'invitation', to: 'not-an-email' });

    const err = await processor(job, 'tok').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe('invalid email job payload: to, link, invitedBy, orgName, expiresAt');
    expect(sent).toEqual([]);
    expect(delayedTo).toEqual([]);
    expect(await value('llmgw_email_failed_total')).toEqual([
      { labels: { template: 'invitation', reason: 'invalid' }, value: 1 },
    ]);
  });

  test('when the link is not http(s), then the job fails without retry', async () => {
    const { processor, sent } = setup();
    const { job } = fakeJob({ ...invitation, link: 'javascript:alert(1)' });

    await expect(processor(job, 'tok')).rejects.toThrow(
      new UnrecoverableError('invalid email job payload: link must use http or https, got javascript:'),
    );
    expect(sent).toEqual([]);
  });

  test('when the server answers 550, then the job fails at once with the reply, without being delayed', async () => {
    const { processor, value } = setup([smtpError(550, 'EENVELOPE')]);
    const { job, delayedTo } = fakeJob(invitation);

    const err = await processor(job, 'tok').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe('permanent SMTP failure: EENVELOPE 550 smtp said 550');
    expect(delayedTo).toEqual([]);
    expect(await value('llmgw_email_failed_total')).toEqual([
      { labels: { template: 'invitation', reason: 'permanent' }, value: 1 },
    ]);
  });

  test('when the connection is refused before the last attempt, then the job is delayed by the backoff of that attempt', async () => {
    const { processor, value } = setup([smtpError(undefined, 'ESOCKET')]);
    const { job, delayedTo } = fakeJob(invitation, 2);

    const err = await processor(job, 'tok').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DelayedError);
    expect(delayedTo).toEqual([{ at: 1_000_000 + 2000, token: 'tok' }]);
    expect(await value('llmgw_email_retried_total')).toEqual([
      { labels: { template: 'invitation' }, value: 1 },
    ]);
  });

  test('when the server answers 451, then it is transient and the job is delayed', async () => {
    const { processor } = setup([smtpError(451, 'EENVELOPE')]);
    const { job, delayedTo } = fakeJob(invitation, 1);

    await expect(processor(job, 'tok')).rejects.toBeInstanceOf(DelayedError);
    expect(delayedTo).toEqual([{ at: 1_000_000 + 1000, token: 'tok' }]);
  });

  test('when a transient failure happens on the last attempt, then the job fails, naming the attempts and the error', async () => {
    const { processor, value } = setup([smtpError(undefined, 'ETIMEDOUT')]);
    const { job, delayedTo } = fakeJob(invitation, 3);

    const err = await processor(job, 'tok').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe('gave up after 3 attempts: ETIMEDOUT smtp said ETIMEDOUT');
    expect(delayedTo).toEqual([]);
    expect(await value('llmgw_email_failed_total')).toEqual([
      { labels: { template: 'invitation', reason: 'exhausted' }, value: 1 },
    ]);
  });
});
