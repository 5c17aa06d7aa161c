import { parseBody, parseQuery, principalOf } from '@llmgw/http';
import { Router } from 'express';
import { assertRouteAccess } from '../spend-logs/spend-logs.policy';
import { failedQuerySchema, retryBodySchema } from './spend-jobs.schemas';
import type { SpendJobsService } from './spend-jobs.service';

/**
 * `/spend/failed` and `/spend/retry` (ours; LiteLLM has no such routes): proxy admins only, which the
 * permission matrix gives every route it does not list.
 */
export function spendJobsRoutes(service: SpendJobsService): Router {
  const router = Router();

  router.get('/spend/failed', async (req, res) => {
    assertRouteAccess(principalOf(res), req.method, req.path);
    const q = parseQuery(failedQuerySchema, req.query);
    res.json(await service.listFailed(q.page, q.page_size));
  });

  router.post('/spend/retry', async (req, res) => {
    assertRouteAccess(principalOf(res), req.method, req.path);
    const body = parseBody(retryBodySchema, req.body);
    res.json(await service.retry(body.job_id));
  });

  return router;
}
