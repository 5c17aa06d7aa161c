import { EMAIL_TEMPLATES } from '@llmgw/contracts';
import { z } from 'zod';

/** `GET /email/failed` query: LiteLLM's list pagination (`page` from 1, `page_size` 1..100). */
export const failedQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(25),
});

/** `POST /email/retry` body. `to` replaces the recipient (e.g. after a 550 for a mistyped address). */
export const retryBodySchema = z.object({
  job_id: z.string().min(1).max(200),
  to: z.string().max(254).email().optional(),
});
export type RetryBody = z.infer<typeof retryBodySchema>;

/** One failed email as admins see it. The link is left out: it is a capability. */
export const failedEmailSchema = z.object({
  job_id: z.string(),
  /** null when the payload is not a known email job. */
  template: z.enum(EMAIL_TEMPLATES).nullable(),
  to: z.string().nullable(),
  failed_reason: z.string().nullable(),
  attempts_made: z.number().int(),
  created_at: z.string(),
  processed_at: z.string().nullable(),
  failed_at: z.string().nullable(),
});
export type FailedEmail = z.infer<typeof failedEmailSchema>;

export const failedListSchema = z.object({
  jobs: z.array(failedEmailSchema),
  total: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
  total_pages: z.number().int(),
});
export type FailedList = z.infer<typeof failedListSchema>;

export const retryResponseSchema = z.object({
  job_id: z.string(),
  template: z.enum(EMAIL_TEMPLATES),
  to: z.string(),
  status: z.literal('queued'),
});
export type RetryResponse = z.infer<typeof retryResponseSchema>;
