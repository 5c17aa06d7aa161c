import {
  budgetScheduleSchema,
  INTERNAL_ROUTES,
  spendCopyKeySchema,
  spendTotalsBulkSchema,
  spendTotalsQuerySchema,
} from '@llmgw/contracts';
import { parseBody, parseQuery, principalOf } from '@llmgw/http';
import { Router } from 'express';
import { assertRouteAccess } from '../spend-logs/spend-logs.policy';
import type { ResetsService } from './resets.service';
import type { TotalsService } from './totals.service';

/**
 * Service-to-service routes (the gateway never forwards `/internal/*`; a valid signed principal proves
 * the caller is one of ours) and the master key's POST /global/spend/reset.
 */
export function totalsRoutes(totals: TotalsService, resets: ResetsService): Router {
  const router = Router();

  router.get(INTERNAL_ROUTES.spendTotals, async (req, res) => {
    res.json(await totals.get(parseQuery(spendTotalsQuerySchema, req.query)));
  });

  router.post(INTERNAL_ROUTES.spendTotals, async (req, res) => {
    res.json(await totals.getMany(parseBody(spendTotalsBulkSchema, req.body)));
  });

  router.post(INTERNAL_ROUTES.spendCounterSeed, async (req, res) => {
    res.json(await totals.seedCounters(parseBody(spendTotalsQuerySchema, req.body)));
  });

  router.post(INTERNAL_ROUTES.spendCounterSeedMany, async (req, res) => {
    res.json(await totals.seedManyCounters(parseBody(spendTotalsBulkSchema, req.body)));
  });

  router.post(INTERNAL_ROUTES.spendCopyKey, async (req, res) => {
    res.json(await totals.copyKey(parseBody(spendCopyKeySchema, req.body)));
  });

  router.post(INTERNAL_ROUTES.budgetSchedule, async (req, res) => {
    res.json(await totals.schedule(parseBody(budgetScheduleSchema, req.body)));
  });

  // LiteLLM: master key only; resets key and team spend, keeps the logs.
  router.post('/global/spend/reset', async (req, res) => {
    assertRouteAccess(principalOf(res), req.method, req.path);
    await resets.resetAllKeysAndTeams();
    res.json({ message: 'Spend for all API Keys and Teams reset successfully', status: 'success' });
  });

  return router;
}
