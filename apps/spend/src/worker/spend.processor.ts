import { SPEND_BATCH_JOB_NAME, type SpendEvent, spendBatchSchema, spendEventSchema } from '@llmgw/contracts';
import type { Logger } from '@llmgw/http';
import { type Job, UnrecoverableError } from 'bullmq';
import type { RecordOutcome } from '../spend-events/spend-events.service';
import type { ResetRun, ResetsService } from '../totals/resets.service';
import { isPermanentDbError } from './db-errors';

/** Name of the repeatable job that runs budget resets (on the `spend` queue, beside the events). */
export const BUDGET_RESET_JOB = 'budget-reset';
/** A job carrying many events (`{events: [...]}`): how gateways send them, one job per flush. */
export const SPEND_BATCH_JOB = SPEND_BATCH_JOB_NAME;

/** numeric(20,10) holds less than 1e10; a single call costing a billion dollars is a broken event. */
const MAX_COST_USD = 1e9;

export type SpendJobResult =
  | { kind: 'spend'; outcome: RecordOutcome }
  | { kind: 'spend-batch'; recorded: number; duplicates: number }
  | ({ kind: 'budget-reset' } & ResetRun);

/**
 * Validates a job's payload. Anything that can never be recorded ends the job at once in the failed
 * set with the reason (UnrecoverableError), instead of retrying.
 */
export function parseSpendEvent(data: unknown): SpendEvent {
  const parsed = spendEventSchema.safeParse(data);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'payload'))].join(', ');
    throw new UnrecoverableError(`invalid spend event: bad or missing ${fields}`);
  }
  const e = parsed.data;
  const badTimes = (['startTime', 'endTime', 'completionStartTime'] as const).filter(
    (f) => e[f] !== null && Number.isNaN(Date.parse(e[f] as string)),
  );
  if (badTimes.length) throw new UnrecoverableError(`invalid spend event: bad ${badTimes.join(', ')}`);
  if (e.cost > MAX_COST_USD) throw new UnrecoverableError('invalid spend event: cost out of range');
  return e;
}

export interface SpendProcessorDeps {
  /** Records one event exactly once (through the batcher in production). */
  record: (event: SpendEvent) => Promise<RecordOutcome>;
  resets: ResetsService;
  logger: Logger;
}

/** Thin: parse, branch on the job name, delegate, log with the job id. */
export function createSpendProcessor(deps: SpendProcessorDeps) {
  const record = async (event: SpendEvent): Promise<RecordOutcome> => {
    try {
      return await deps.record(event);
    } catch (err) {
      if (isPermanentDbError(err)) {
        throw new UnrecoverableError(`spend event rejected by the database: ${(err as Error).message}`);
      }
      throw err;
    }
  };

  /**
   * Every valid event of a batch is recorded (each exactly once, so a retried batch changes nothing that
   * was already written); invalid ones then fail the job with their call ids, so an admin sees them.
   */
  const recordBatch = async (job: Job): Promise<SpendJobResult> => {
    const batch = spendBatchSchema.safeParse(job.data);
    if (!batch.success) throw new UnrecoverableError('invalid spend batch: expected {events: [...]}');
    const invalid: string[] = [];
    const valid: SpendEvent[] = [];
    for (const raw of batch.data.events) {
      try {
        valid.push(parseSpendEvent(raw));
      } catch (err) {
        const id = (raw as { callId?: unknown }).callId;
        invalid.push(`${typeof id === 'string' ? id : '?'} (${(err as Error).message})`);
      }
    }
    const outcomes = await Promise.all(valid.map(record));
    const duplicates = outcomes.filter((o) => o === 'duplicate').length;
    if (invalid.length) throw new UnrecoverableError(`invalid spend events in batch: ${invalid.join('; ')}`);
    return { kind: 'spend-batch', recorded: outcomes.length - duplicates, duplicates };
  };

  return async (job: Job): Promise<SpendJobResult> => {
    if (job.name === BUDGET_RESET_JOB) return { kind: 'budget-reset', ...(await deps.resets.runDue()) };
    if (job.name === SPEND_BATCH_JOB) return recordBatch(job);
    const event = parseSpendEvent(job.data);
    const outcome = await record(event);
    if (outcome === 'duplicate') deps.logger.info({ jobId: job.id }, 'spend event already recorded');
    return { kind: 'spend', outcome };
  };
}

export type SpendProcessor = ReturnType<typeof createSpendProcessor>;
