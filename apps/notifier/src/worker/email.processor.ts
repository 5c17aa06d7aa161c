import { type EmailJob, emailJobSchema } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import { InvalidEmailError } from '../emails/email';
import { renderEmail } from '../emails/render';
import type { NotifierMetrics } from '../metrics';
import type { MailTransport } from '../transport/mail-transport';
import { classifySendError } from '../transport/smtp-errors';
import { backoffDelay, type RetryPolicy } from './retry-policy';

export interface EmailProcessorDeps {
  transport: MailTransport;
  logger: Logger;
  metrics: NotifierMetrics;
  retry: RetryPolicy;
  now?: () => number;
}

/** What a delivered job stores as its return value (shown by BullMQ tooling; no link, no body). */
export interface EmailJobResult {
  messageId: string;
  transport: 'smtp' | 'outbox';
}

/** The parts of a BullMQ job the processor uses, so unit tests can hand it a plain object. */
export type ProcessableJob = Pick<Job, 'id' | 'data' | 'attemptsStarted' | 'moveToDelayed'>;

/**
 * The `email` queue's processor, kept thin: parse, render, send, log with the job id.
 *
 * The notifier owns the retry policy instead of the job options a producer set, because only it can
 * tell a transient SMTP failure from a permanent one:
 * - invalid payload or permanent SMTP failure (5xx, bad envelope): UnrecoverableError, no retry;
 * - transient failure (connection refused, timeout, 4xx) before the last attempt: the job is moved to
 *   `delayed` with exponential backoff (DelayedError, which BullMQ does not count as a failure);
 * - transient failure on the last attempt: UnrecoverableError naming the last SMTP error.
 * So a job ends failed exactly once, with its reason, whatever `attempts` the producer set. The attempt
 * number is BullMQ's `attemptsStarted`, which counts every time the job became active.
 */
export function createEmailProcessor(deps: EmailProcessorDeps) {
  const now = deps.now ?? Date.now;
  return async (job: ProcessableJob, token?: string): Promise<EmailJobResult> => {
    const jobId = String(job.id);
    const parsed = emailJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.join('.') || '(payload)').join(', ');
      deps.metrics.failed.inc({ template: templateOf(job.data), reason: 'invalid' });
      deps.logger.error({ jobId, fields }, 'email job has an invalid payload; not retrying');
      throw new UnrecoverableError(`invalid email job payload: ${fields}`);
    }
    const data: EmailJob = parsed.data;
    const log = deps.logger.child({ jobId, template: data.template, to: data.to });

    let rendered: ReturnType<typeof renderEmail>;
    try {
      rendered = renderEmail(data);
    } catch (err) {
      deps.metrics.failed.inc({ template: data.template, reason: 'invalid' });
      const reason = err instanceof InvalidEmailError ? err.message : `cannot render: ${String(err)}`;
      log.error({ reason }, 'email cannot be rendered; not retrying');
      throw new UnrecoverableError(`invalid email job payload: ${reason}`);
    }

    const attempt = Math.max(job.attemptsStarted ?? 1, 1);
    try {
      const receipt = await deps.transport.send({ ...rendered, to: data.to, jobId, link: data.link });
      deps.metrics.sent.inc({ template: data.template });
      log.info({ attempt, messageId: receipt.messageId, transport: deps.transport.kind }, 'email sent');
      return { messageId: receipt.messageId, transport: deps.transport.kind };
    } catch (err) {
      const { permanent, reason } = classifySendError(err);
      if (permanent) {
        deps.metrics.failed.inc({ template: data.template, reason: 'permanent' });
        log.warn({ attempt, reason }, 'email rejected permanently; not retrying');
        throw new UnrecoverableError(`permanent SMTP failure: ${reason}`);
      }
      if (attempt >= deps.retry.attempts) {
        deps.metrics.failed.inc({ template: data.template, reason: 'exhausted' });
        log.error({ attempt, reason }, 'email failed on its last attempt');
        throw new UnrecoverableError(`gave up after ${attempt} attempts: ${reason}`);
      }
      const delayMs = backoffDelay(deps.retry, attempt);
      deps.metrics.retried.inc({ template: data.template });
      log.warn({ attempt, reason, retryInMs: delayMs }, 'email delivery failed; will retry');
      await job.moveToDelayed(now() + delayMs, token);
      throw new DelayedError(`retrying after a transient SMTP failure: ${reason}`);
    }
  };
}

export type EmailProcessor = ReturnType<typeof createEmailProcessor>;

/** Best-effort template label of a payload that failed validation, for metrics. */
function templateOf(data: unknown): string {
  const t = (data as { template?: unknown } | null)?.template;
  return t === 'invitation' || t === 'password_reset' ? t : 'unknown';
}
