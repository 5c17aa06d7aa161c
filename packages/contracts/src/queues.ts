import { z } from 'zod';

/** BullMQ queue names. Producers and workers import these; never spell a queue name elsewhere. */
export const QUEUES = { email: 'email', spend: 'spend' } as const;

export const EMAIL_TEMPLATES = ['invitation', 'password_reset'] as const;

/**
 * Payload of an `email` job. Job id = invitation id, so a retried request never sends twice. No secrets
 * beyond the link itself (the link is a capability: it is logged only by the dev outbox).
 */
export const emailJobSchema = z.discriminatedUnion('template', [
  z.object({
    template: z.literal('invitation'),
    to: z.string().email(),
    link: z.string().url(),
    invitedBy: z.string().nullable(),
    orgName: z.string(),
    expiresAt: z.string(),
  }),
  z.object({
    template: z.literal('password_reset'),
    to: z.string().email(),
    link: z.string().url(),
    expiresAt: z.string(),
  }),
]);
export type EmailJob = z.infer<typeof emailJobSchema>;
export type EmailTemplate = EmailJob['template'];

const DAY_SECONDS = 24 * 3600;

/**
 * Job options every producer of `email` jobs uses (e.g. as its Queue's `defaultJobOptions`), adding
 * `jobId` per job: the invitation id for invitations, the reset request's id for password resets, so a
 * retried request never sends twice. Name the job after its template (`queue.add(job.template, job, ...)`).
 *
 * - `attempts`/`backoff` are only a safety net for failures around the processor (a Redis blip while a
 *   job is moved). SMTP failures are retried by the notifier itself (EMAIL_ATTEMPTS, EMAIL_BACKOFF_MS on
 *   the notifier), because only it can tell a transient SMTP error from a permanent one; a job that gives
 *   up ends failed at once, whatever `attempts` says.
 * - `removeOnComplete` keeps a sent job, and with it the deduplication of its id, as long as an invitation
 *   lives (7 days), bounded in count.
 * - `removeOnFail` keeps failed jobs for 30 days, so admins can list them (`GET /email/failed`) and retry
 *   them (`POST /email/retry`), bounded in count.
 *
 * Plain data (no BullMQ types) so that this package stays free of queue dependencies; it is assignable
 * to BullMQ's `JobsOptions`.
 */
export const EMAIL_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: { age: 7 * DAY_SECONDS, count: 50_000 },
  removeOnFail: { age: 30 * DAY_SECONDS, count: 10_000 },
} as const;

/** Payload of a `spend` job: one finished upstream call. Job id = call id (idempotent). */
export const spendEventSchema = z.object({
  callId: z.string(),
  requestId: z.string(),
  keyHash: z.string(),
  userId: z.string().nullable(),
  teamId: z.string().nullable(),
  model: z.string(),
  modelGroup: z.string(),
  apiBase: z.string().nullable(),
  callType: z.string(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  cost: z.number().nonnegative(),
  startTime: z.string(),
  endTime: z.string(),
  completionStartTime: z.string().nullable(),
  status: z.enum(['success', 'failure']),
  endUser: z.string().nullable(),
  /*
   * Optional so that events queued by an older gateway stay valid. They fill spend-log columns LiteLLM
   * has (`model_id`, `custom_llm_provider`, `organization_id`, `metadata.user_api_key_alias`,
   * `metadata.user_api_key_team_alias`) and let `/global/spend/keys` and `/global/spend/teams` name keys
   * and teams without asking the keys or identity service (services never read each other's tables).
   */
  /** The deployment's id (`x-litellm-model-id`). */
  modelId: z.string().nullable().optional(),
  /** The provider prefix of the deployment's model (`openai` for `openai/gpt-4o`). */
  customLlmProvider: z.string().nullable().optional(),
  keyAlias: z.string().nullable().optional(),
  /** `sk-...abcd`, the key's display name. */
  keyName: z.string().nullable().optional(),
  teamAlias: z.string().nullable().optional(),
  organizationId: z.string().nullable().optional(),
});
export type SpendEvent = z.infer<typeof spendEventSchema>;

/**
 * Gateways send spend events in batches: one job per flush, named SPEND_BATCH_JOB_NAME, id = the first
 * event's call id, data `{events}`. Each event is still recorded exactly once (by call id), so a batch
 * delivered twice changes nothing. Events stay loosely typed here so that one bad event fails alone.
 */
export const SPEND_BATCH_JOB_NAME = 'spend-batch';
export const spendBatchSchema = z.object({ events: z.array(z.unknown()).min(1).max(10_000) });
