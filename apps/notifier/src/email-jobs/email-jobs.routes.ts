import { parseBody, parseQuery, principalOf } from '@llmgw/http';
import { Router } from 'express';
import { assertMayReadFailed, assertMayRetry } from './email-jobs.policy';
import { failedQuerySchema, retryBodySchema } from './email-jobs.schemas';
import type { EmailJobsService } from './email-jobs.service';

/** `/email/*`, reached through the gateway (admin-only) with the caller as a signed principal. */
export function emailJobsRoutes(service: EmailJobsService): Router {
  const router = Router();

  router.get('/email/failed', async (req, res) => {
    assertMayReadFailed(principalOf(res), '/email/failed');
    const query = parseQuery(failedQuerySchema, req.query);
    res.json(await service.listFailed(query.page, query.page_size));
  });

  router.post('/email/retry', async (req, res) => {
    assertMayRetry(principalOf(res), '/email/retry');
    const body = parseBody(retryBodySchema, req.body);
    res.json(await service.retry(body.job_id, body.to));
  });

  return router;
}
