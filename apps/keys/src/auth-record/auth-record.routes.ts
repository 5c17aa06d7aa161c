import { INTERNAL_ROUTES, ownerSelectorSchema } from '@llmgw/contracts';
import { badRequest, parseBody } from '@llmgw/http';
import { Router } from 'express';
import { IdentityUnavailableError } from '../identity/identity-client';
import { isKeyHash } from '../keys/key-format';
import { keyErrors } from '../keys/keys.errors';
import type { KeysService } from '../keys/keys.service';
import type { AuthCache } from './auth-cache';

/**
 * Service-to-service routes (any signed principal; the gateway never forwards /internal/):
 * - the gateway asks for a record on a Redis miss (cache fill from Postgres and identity);
 * - identity reports changed users/teams (rebuild their keys' records) and deleted ones (delete keys).
 */
export function authRecordRoutes(authCache: AuthCache, service: KeysService): Router {
  const router = Router();
  router.get(INTERNAL_ROUTES.authRecord(':hash'), async (req, res) => {
    const hash = String(req.params.hash);
    if (!isKeyHash(hash)) throw badRequest('hash must be 64 lowercase hex characters', 'hash');
    try {
      res.json(await authCache.fill(hash));
    } catch (err) {
      // Fail closed: without identity's facts there is no record, and the gateway answers 503.
      if (err instanceof IdentityUnavailableError) throw keyErrors.identityUnavailable();
      throw err;
    }
  });

  router.post(INTERNAL_ROUTES.authInvalidate, async (req, res) => {
    const selector = parseBody(ownerSelectorSchema, req.body);
    res.json({ invalidated: await service.invalidateOwners(selector) });
  });

  router.post(INTERNAL_ROUTES.keysDeleteByOwner, async (req, res) => {
    const selector = parseBody(ownerSelectorSchema, req.body);
    res.json({ deleted_keys: await service.deleteOwners(selector) });
  });
  return router;
}
