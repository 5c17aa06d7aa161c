import { z } from 'zod';

export const failedQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(25),
});

export const retryBodySchema = z.object({ job_id: z.string().min(1).max(512) });

export interface FailedSpendJob {
  job_id: string;
  name: string;
  failed_reason: string | null;
  attempts_made: number;
  created_at: string;
  failed_at: string | null;
  /** The payload as queued (a spend event, or whatever a broken producer sent). */
  data: unknown;
}

export interface FailedList {
  jobs: FailedSpendJob[];
  total: number;
  page: number;
  page_size: number;
  total_pages: number;
}
