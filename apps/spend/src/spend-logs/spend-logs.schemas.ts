import { z } from 'zod';

const DAY_MS = 86_400_000;
/** Longest range /spend/logs?summarize=true fills day by day. */
export const MAX_SUMMARY_DAYS = 3660;

/** FastAPI's bool query values. */
const queryBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 'True', 'False'])
  .transform((v) => ['true', '1', 'yes', 'on', 'True'].includes(v));

/** `YYYY-MM-DD` (LiteLLM parses it with strptime("%Y-%m-%d")), as a Date at 00:00 UTC. */
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .transform((v, ctx) => {
    const d = new Date(`${v}T00:00:00.000Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) {
      ctx.addIssue({ code: 'custom', message: 'must be a real date as YYYY-MM-DD' });
      return z.NEVER;
    }
    return d;
  });

const id = z.string().min(1).max(512);

/** GET /spend/logs (LiteLLM's view_spend_logs) plus `limit`, our bound on the rows of one answer. */
export const spendLogsQuerySchema = z
  .object({
    api_key: id.optional(),
    user_id: id.optional(),
    request_id: id.optional(),
    start_date: isoDay.optional(),
    end_date: isoDay.optional(),
    summarize: queryBool.default(true),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .superRefine((q, ctx) => {
    if (q.start_date && q.end_date && q.summarize) {
      const days = (q.end_date.getTime() - q.start_date.getTime()) / DAY_MS;
      if (days > MAX_SUMMARY_DAYS) {
        ctx.addIssue({
          code: 'custom',
          path: ['end_date'],
          message: `must be at most ${MAX_SUMMARY_DAYS} days after start_date when summarize=true`,
        });
      }
    }
  });
export type SpendLogsQuery = z.output<typeof spendLogsQuerySchema>;

export const globalSpendLogsQuerySchema = z.object({ api_key: id.optional() });

/** LiteLLM: `limit: int` (a bad limit is a 422); no limit lists every key. */
export const globalSpendKeysQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

export const globalSpendModelsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100_000).default(10),
});

/** An ISO-8601 date or date-time (pydantic's datetime accepts both); naive times are UTC. */
const dateTime = z
  .string()
  .max(64)
  .regex(
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/,
    'must be an ISO-8601 datetime',
  )
  .transform((v, ctx) => {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(v) && v.length > 10;
    const d = new Date(hasZone ? v.replace(' ', 'T') : `${v.replace(' ', 'T')}${v.length > 10 ? 'Z' : ''}`);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'must be a real ISO-8601 datetime' });
      return z.NEVER;
    }
    return d;
  });

/** POST /global/spend/end_users (LiteLLM's GlobalEndUsersSpend). */
export const endUsersBodySchema = z
  .object({
    api_key: id.nullish(),
    startTime: dateTime.nullish(),
    endTime: dateTime.nullish(),
  })
  .nullish();
