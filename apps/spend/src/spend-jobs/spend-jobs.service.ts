import { isProxyError } from '@llmgw/http';
import type { Job, Queue } from 'bullmq';
import { BUDGET_RESET_JOB, parseSpendEvent, SPEND_BATCH_JOB } from '../worker/spend.processor';
import { spendJobErrors } from './spend-jobs.errors';
import type { FailedList, FailedSpendJob } from './spend-jobs.schemas';

const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);

function toFailed(job: Job): FailedSpendJob {
  return {
    job_id: String(job.id),
    name: job.name,
    failed_reason: job.failedReason || null,
    attempts_made: job.attemptsMade ?? 0,
    created_at: new Date(job.timestamp).toISOString(),
    failed_at: iso(job.finishedOn),
    data: job.data,
  };
}

/** Any queue failure that is not ours is Redis failing: 503. */
async function queueCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isProxyError(err)) throw err;
    throw spendJobErrors.queueUnavailable();
  }
}

/** Failed `spend` jobs, for admins: list them (newest first) and run one again. */
export function createSpendJobsService({ queue }: { queue: Queue }) {
  return {
    async listFailed(page: number, pageSize: number): Promise<FailedList> {
      const start = (page - 1) * pageSize;
      const [total, jobs] = await queueCall(() =>
        Promise.all([queue.getFailedCount(), queue.getFailed(start, start + pageSize - 1)]),
      );
      return {
        // A job removed between the two reads comes back undefined.
        jobs: jobs.filter((j): j is Job => Boolean(j)).map(toFailed),
        total,
        page,
        page_size: pageSize,
        total_pages: Math.ceil(total / pageSize),
      };
    },

    /**
     * Runs a failed job again with a fresh attempt budget (after an outage used up its attempts). A job
     * whose payload can never be recorded is refused, since it would only fail again.
     */
    async retry(jobId: string): Promise<{ job_id: string; status: 'queued' }> {
      return queueCall(async () => {
        const job = await queue.getJob(jobId);
        if (!job) throw spendJobErrors.notFound(jobId);
        const state = await job.getState();
        if (state !== 'failed') throw spendJobErrors.notFailed(jobId, state);
        // A single event that can never be recorded is refused; a batch runs again (its valid events are
        // recorded once, its invalid ones fail again, named).
        if (job.name !== BUDGET_RESET_JOB && job.name !== SPEND_BATCH_JOB) {
          try {
            parseSpendEvent(job.data);
          } catch (err) {
            throw spendJobErrors.invalidPayload(jobId, (err as Error).message);
          }
        }
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return { job_id: jobId, status: 'queued' as const };
      });
    },
  };
}

export type SpendJobsService = ReturnType<typeof createSpendJobsService>;
