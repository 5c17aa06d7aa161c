import { parseBody, parseQuery, principalOf } from '@llmgw/http';
import { Router } from 'express';
import { sendWithSpend } from '../spend/spend-view';
import {
  deleteTeamsRequestSchema,
  memberAddRequestSchema,
  memberDeleteRequestSchema,
  memberUpdateRequestSchema,
  newTeamRequestSchema,
  teamIdRequestSchema,
  teamInfoQuerySchema,
  teamListQuerySchema,
  updateTeamRequestSchema,
} from './teams.schemas';
import type { TeamsService } from './teams.service';

/** `/team/*` (wire contract §1.3). Route-level access is checked before these (see access.ts). */
export function teamsRoutes(service: TeamsService): Router {
  const router = Router();
  router.post('/team/new', async (req, res) => {
    res.json(await service.create(principalOf(res), parseBody(newTeamRequestSchema, req.body)));
  });
  router.post('/team/update', async (req, res) => {
    res.json(await service.update(parseBody(updateTeamRequestSchema, req.body)));
  });
  router.post('/team/delete', async (req, res) => {
    res.json(await service.delete(parseBody(deleteTeamsRequestSchema, req.body).team_ids));
  });
  router.get('/team/info', async (req, res) => {
    sendWithSpend(
      res,
      await service.info(principalOf(res), parseQuery(teamInfoQuerySchema, req.query).team_id),
    );
  });
  router.get('/team/list', async (req, res) => {
    sendWithSpend(res, await service.list(principalOf(res), parseQuery(teamListQuerySchema, req.query)));
  });
  router.post('/team/member_add', async (req, res) => {
    res.json(await service.memberAdd(principalOf(res), parseBody(memberAddRequestSchema, req.body)));
  });
  router.post('/team/member_delete', async (req, res) => {
    res.json(await service.memberDelete(principalOf(res), parseBody(memberDeleteRequestSchema, req.body)));
  });
  router.post('/team/member_update', async (req, res) => {
    res.json(await service.memberUpdate(principalOf(res), parseBody(memberUpdateRequestSchema, req.body)));
  });
  router.post('/team/block', async (req, res) => {
    res.json(await service.setBlocked(parseBody(teamIdRequestSchema, req.body).team_id, true));
  });
  router.post('/team/unblock', async (req, res) => {
    res.json(await service.setBlocked(parseBody(teamIdRequestSchema, req.body).team_id, false));
  });
  return router;
}
