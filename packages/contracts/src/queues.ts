import { z } from 'zod';

/** BullMQ queue names. Producers and workers import these; never spell a queue name elsewhere. */
export const QUEUES = { email: 'email', spend: 'spend' } as const;

export const EMAIL_TEMPLATES = ['invitation', 'password_reset'] as const;

/** Payload of an `email` job. Job id = invitation id, so a retried request never sends twice. */
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
});
export type SpendEvent = z.infer<typeof spendEventSchema>;
