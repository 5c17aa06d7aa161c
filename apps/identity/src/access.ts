import { checkRouteAccess } from '@llmgw/auth';
import { ProxyError, principalOf } from '@llmgw/http';
import type { RequestHandler } from 'express';

/**
 * The route layer of every principal-carrying route: the shared matrix of @llmgw/auth decides who may
 * reach the route at all (LiteLLM's exact 401/403 bodies); handlers then narrow to the caller's data.
 */
export const routeAccess: RequestHandler = (req, res, next) => {
  const decision = checkRouteAccess(principalOf(res), req.method, req.path);
  if (decision.allowed) {
    next();
    return;
  }
  next(
    new ProxyError({
      status: decision.status,
      message: decision.body.error.message,
      type: decision.body.error.type,
      param: decision.body.error.param,
    }),
  );
};
