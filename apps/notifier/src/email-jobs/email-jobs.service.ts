import { EMAIL_TEMPLATES, type EmailTemplate, emailJobSchema } from '@llmgw/contracts';
import { isProxyError } from '@llmgw/http';
import type { Job, Queue } from 'bullmq';
import { emailJobErrors } from './email-jobs.errors';
import type { FailedEmail, FailedList, RetryResponse } from './email-jobs.schemas';

export interface EmailJobsServiceDeps {
  queue: Queue;
}

const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);

function templateOf(data: unknown): EmailTemplate | null {
  const t = (data as { template?: unknown } | null)?.template;
  return (EMAIL_TEMPLATES as readonly unknown[]).includes(t) ? (t as EmailTemplate) : null;
}

function toFailedEmail(job: Job): FailedEmail {
  const to = (job.data as { to?: unknown } | null)?.to;
  return {
    job_id: String(job.id),
    template: templateOf(job.data),
    to: typeof to === 'string' ? to : null,
    failed_reason: job.failedReason || null,
    // The notifier retries by delaying the job itself, so BullMQ's attemptsMade stays at 1; every try
    // made the job active, which attemptsStarted counts.
    attempts_made: Math.max(job.attemptsMade ?? 0, job.attemptsStarted ?? 0),
    created_at: new Date(job.timestamp).toISOString(),
    processed_at: iso(job.processedOn),
    failed_at: iso(job.finishedOn),
  };
}

/** Any queue failure that is not ours becomes a 503: Redis is the only thing that can fail here. */
async function queueCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isProxyError(err)) throw err;
    throw emailJobErrors.queueUnavailable();
  }
}

/** Reads and retries failed `email` jobs for admins; no HTTP types here. */
export function createEmailJobsService({ queue }: EmailJobsServiceDeps) {
  return {
    /** Newest failure first. */
    async listFailed(page: number, pageSize: number): Promise<FailedList> {
      const start = (page - 1) * pageSize;
      const [total, jobs] = await queueCall(() =>
        Promise.all([queue.getFailedCount(), queue.getFailed(start, start + pageSize - 1)]),
      );
      return {
        // A job removed between the two reads comes back as undefined.
        jobs: jobs.filter((j): j is Job => Boolean(j)).map(toFailedEmail),
        total,
        page,
        page_size: pageSize,
        total_pages: Math.ceil(total / pageSize),
      };
    },

    /**
     * Re-queues one failed job with a fresh attempt budget. With `to`, the recipient is replaced first
     * and the whole payload is validated again, so a fix cannot produce a job the worker would reject.
     */
    async retry(jobId: string, to?: string): Promise<RetryResponse> {
      return queueCall(async () => {
        const job = await queue.getJob(jobId);
        if (!job) throw emailJobErrors.notFound(jobId);
        const state = await job.getState();
        if (state !== 'failed') throw emailJobErrors.notFailed(jobId, state);
        const data = to === undefined ? job.data : { ...job.data, to };
        const parsed = emailJobSchema.safeParse(data);
        if (!parsed.success) {
          const fields = parsed.error.issues.map((i) => i.path.join('.') || 'payload').join(', ');
          throw emailJobErrors.invalidPayload(jobId, fields);
        }
        if (to !== undefined) await job.updateData(data);
        try {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        } catch (err) {
          // Someone else retried (or removed) it between our read and now.
          const now = await job.getState();
          if (now === 'unknown') throw emailJobErrors.notFound(jobId);
          if (now !== 'failed') throw emailJobErrors.notFailed(jobId, now);
          throw err;
        }
        return { job_id: jobId, template: parsed.data.template, to: parsed.data.to, status: 'queued' };
      });
    },
  };
}

export type EmailJobsService = ReturnType<typeof createEmailJobsService>;
