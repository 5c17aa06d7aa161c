import { redisKeys } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import type { Logger } from '@llmgw/http';
import type { Redis } from 'ioredis';
import type { SpendDB } from './db';
import { createSpendEventsService } from './spend-events/spend-events.service';
import { createSpendReadsService } from './spend-logs/spend-logs.service';
import { createBudgetCounters } from './totals/budget-counters';
import { createResetsService } from './totals/resets.service';
import { createTotalsService } from './totals/totals.service';

export interface SpendServicesDeps {
  db: Kysely<SpendDB>;
  /** A command connection (fails fast when Redis is down). */
  redis: Redis;
  redisPrefix: string;
  logger: Logger;
  now: () => Date;
}

/** Every service of the spend app, built once and shared by the HTTP app and the worker. */
export function createSpendServices(deps: SpendServicesDeps) {
  const counters = createBudgetCounters(deps.redis, redisKeys(deps.redisPrefix));
  return {
    events: createSpendEventsService({ db: deps.db, logger: deps.logger }),
    reads: createSpendReadsService({ db: deps.db, now: deps.now }),
    totals: createTotalsService({ db: deps.db, counters, now: deps.now }),
    resets: createResetsService({ db: deps.db, counters, now: deps.now, logger: deps.logger }),
    counters,
  };
}

export type SpendServices = ReturnType<typeof createSpendServices>;
