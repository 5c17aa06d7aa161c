import { parseBody, parseQuery } from '@llmgw/http';
import { Router } from 'express';
import { z } from 'zod';
import type { IdentityConfig } from '../context';
import { setSessionCookies } from '../sessions/cookies';
import type { OnboardingService } from './onboarding.service';

const getTokenQuerySchema = z.object({ invite_link: z.string().min(1).max(256) });
const claimTokenSchema = z.object({
  invitation_link: z.string().min(1).max(256),
  user_id: z.string().min(1).max(256),
  password: z.string(),
});

/** `/onboarding/*` (public: the invitation id is the credential). */
export function onboardingRoutes(service: OnboardingService, config: IdentityConfig): Router {
  const router = Router();
  const secure = config.proxyBaseUrl.startsWith('https:');
  router.get('/onboarding/get_token', async (req, res) => {
    res.json(await service.getToken(parseQuery(getTokenQuerySchema, req.query).invite_link));
  });
  router.post('/onboarding/claim_token', async (req, res) => {
    const { user, session } = await service.claim(parseBody(claimTokenSchema, req.body));
    setSessionCookies(res, session, secure);
    res.json(user);
  });
  return router;
}
