import { parseBody, parseQuery, principalOf } from '@llmgw/http';
import { Router } from 'express';
import { z } from 'zod';
import { id } from '../lib/schemas';
import type { InvitationsService } from './invitations.service';

const newInvitationSchema = z.object({ user_id: id });
const invitationIdQuerySchema = z.object({ invitation_id: id });
const updateInvitationSchema = z.object({ invitation_id: id, is_accepted: z.boolean() });
const deleteInvitationSchema = z.object({ invitation_id: id });

/** `/invitation/*` (wire contract §1.4): proxy admins only (see access.ts). */
export function invitationsRoutes(service: InvitationsService): Router {
  const router = Router();
  router.post('/invitation/new', async (req, res) => {
    res.json(await service.create(principalOf(res), parseBody(newInvitationSchema, req.body).user_id));
  });
  router.get('/invitation/info', async (req, res) => {
    res.json(await service.info(parseQuery(invitationIdQuerySchema, req.query).invitation_id));
  });
  router.post('/invitation/update', async (req, res) => {
    const input = parseBody(updateInvitationSchema, req.body);
    res.json(await service.update(principalOf(res), input.invitation_id, input.is_accepted));
  });
  router.post('/invitation/delete', async (req, res) => {
    res.json(await service.delete(parseBody(deleteInvitationSchema, req.body).invitation_id));
  });
  return router;
}
