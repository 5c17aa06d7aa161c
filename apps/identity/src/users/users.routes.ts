import { parseBody, parseQuery, principalOf } from '@llmgw/http';
import { Router } from 'express';
import { sendWithSpend } from '../spend/spend-view';
import {
  deleteUsersRequestSchema,
  newUserRequestSchema,
  updateUserRequestSchema,
  userInfoQuerySchema,
  userListQuerySchema,
} from './users.schemas';
import { AVAILABLE_ROLES, type UsersService } from './users.service';

/** `/user/*` (wire contract §1.1). Route-level access is checked before these (see access.ts). */
export function usersRoutes(service: UsersService): Router {
  const router = Router();

  router.post('/user/new', async (req, res) => {
    res.json(await service.create(principalOf(res), parseBody(newUserRequestSchema, req.body)));
  });

  router.get('/user/info', async (req, res) => {
    const { user_id } = parseQuery(userInfoQuerySchema, req.query);
    sendWithSpend(res, await service.info(principalOf(res), user_id));
  });

  router.post('/user/update', async (req, res) => {
    res.json(await service.update(principalOf(res), parseBody(updateUserRequestSchema, req.body)));
  });

  router.post('/user/delete', async (req, res) => {
    // LiteLLM answers with the bare number of deleted rows.
    res.json(await service.delete(parseBody(deleteUsersRequestSchema, req.body).user_ids));
  });

  router.get('/user/list', async (req, res) => {
    sendWithSpend(res, await service.list(parseQuery(userListQuerySchema, req.query)));
  });

  router.get('/user/available_roles', (_req, res) => {
    res.json(AVAILABLE_ROLES);
  });

  return router;
}
