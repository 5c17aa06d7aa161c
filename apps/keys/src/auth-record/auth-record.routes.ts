import { INTERNAL_ROUTES } from '@llmgw/contracts';
import { badRequest } from '@llmgw/http';
import { Router } from 'express';
import { isKeyHash } from '../keys/key-format';
import type { AuthCache } from './auth-cache';

/** Internal: the gateway asks for a record on a Redis miss (cache fill from Postgres). */
export function authRecordRoutes(authCache: AuthCache): Router {
  const router = Router();
  router.get(INTERNAL_ROUTES.authRecord(':hash'), async (req, res) => {
    const hash = String(req.params.hash);
    if (!isKeyHash(hash)) throw badRequest('hash must be 64 lowercase hex characters', 'hash');
    res.json(await authCache.fill(hash));
  });
  return router;
}
