import { parseBody, parseQuery, principalOf } from '@llmgw/http';
import { type Request, type Response, Router } from 'express';
import { assertRouteAccess, rowScopeOf } from './spend-logs.policy';
import {
  endUsersBodySchema,
  globalSpendKeysQuerySchema,
  globalSpendLogsQuerySchema,
  globalSpendModelsQuerySchema,
  spendLogsQuerySchema,
} from './spend-logs.schemas';
import type { SpendReadsService } from './spend-logs.service';

/** The caller's row scope, after the route-level check of the permission matrix. */
function scopeFor(req: Request, res: Response) {
  const principal = principalOf(res);
  assertRouteAccess(principal, req.method, req.path);
  return rowScopeOf(principal);
}

/** `/spend/logs` and the `/global/spend*` reads (wire contract §1.6), scoped for non-admins. */
export function spendLogsRoutes(service: SpendReadsService): Router {
  const router = Router();

  router.get('/spend/logs', async (req, res) => {
    const scope = scopeFor(req, res);
    res.json(await service.logs(parseQuery(spendLogsQuerySchema, req.query), scope));
  });

  router.get('/global/spend', async (req, res) => {
    const scope = scopeFor(req, res);
    res.json(await service.globalSpend(scope));
  });

  router.get('/global/spend/logs', async (req, res) => {
    const scope = scopeFor(req, res);
    const q = parseQuery(globalSpendLogsQuerySchema, req.query);
    res.json(await service.dailySpend(scope, q.api_key));
  });

  router.get('/global/spend/keys', async (req, res) => {
    const scope = scopeFor(req, res);
    const q = parseQuery(globalSpendKeysQuerySchema, req.query);
    res.json(await service.topKeys(scope, q.limit));
  });

  router.get('/global/spend/teams', async (req, res) => {
    const scope = scopeFor(req, res);
    res.json(await service.teams(scope));
  });

  router.get('/global/spend/models', async (req, res) => {
    const scope = scopeFor(req, res);
    const q = parseQuery(globalSpendModelsQuerySchema, req.query);
    res.json(await service.topModels(scope, q.limit));
  });

  router.post('/global/spend/end_users', async (req, res) => {
    const scope = scopeFor(req, res);
    const body = parseBody(endUsersBodySchema, req.body) ?? {};
    res.json(await service.topEndUsers(scope, body));
  });

  return router;
}
