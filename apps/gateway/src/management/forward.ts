import type { ServerResponse } from 'node:http';
import { isPublicRoute, type Owner, routeOwner } from '@llmgw/auth';
import { PRINCIPAL_HEADER, type Principal } from '@llmgw/contracts';
import { type Logger, ProxyError, signPrincipal } from '@llmgw/http';
import type { RequestHandler } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Authenticator } from '../auth/authenticate';
import { extractKey } from '../auth/extract-key';
import type { SessionAuthenticator } from '../auth/session';
import { assertCsrf } from './csrf';

export interface ForwardDeps {
  authenticator: Authenticator;
  services: Record<Owner, string>;
  internalSecret: string;
  logger: Logger;
  /** UI sessions: the session cookie authenticates management routes when no key is sent. */
  sessions?: SessionAuthenticator;
}

/**
 * Management routes: authenticate once here, then forward to the owning service with the principal in
 * a signed header. Public routes (login, onboarding) go through without one. Whatever the client sent
 * in the principal header is always dropped: only the gateway may set it.
 */
export function forwardToServices(deps: ForwardDeps): RequestHandler {
  const proxyTo = (owner: Owner, target: string) =>
    createProxyMiddleware({
      target,
      changeOrigin: true,
      xfwd: true,
      proxyTimeout: 30_000,
      on: {
        proxyReq: (proxyReq, _req, res) => {
          proxyReq.removeHeader(PRINCIPAL_HEADER);
          const principal = (res as ServerResponse & { locals?: { principal?: Principal } }).locals
            ?.principal;
          if (principal) proxyReq.setHeader(PRINCIPAL_HEADER, signPrincipal(principal, deps.internalSecret));
        },
        error: (err, _req, res) => {
          deps.logger.warn({ owner, err: err.message }, 'service unreachable');
          const out = res as ServerResponse;
          if (out.headersSent || typeof out.setHeader !== 'function') {
            out.destroy?.();
            return;
          }
          const body = new ProxyError({
            status: 503,
            message: `the ${owner} service is unavailable, retry shortly`,
            type: 'service_unavailable',
            param: null,
          }).toBody();
          out.statusCode = 503;
          out.setHeader('content-type', 'application/json');
          out.end(JSON.stringify(body));
        },
      },
    }) as unknown as RequestHandler;
  const proxies: Record<Owner, RequestHandler> = {
    identity: proxyTo('identity', deps.services.identity),
    keys: proxyTo('keys', deps.services.keys),
    spend: proxyTo('spend', deps.services.spend),
    notifier: proxyTo('notifier', deps.services.notifier),
  };

  return async (req, res, next) => {
    const owner = routeOwner(req.path);
    if (!owner) {
      next();
      return;
    }
    delete req.headers[PRINCIPAL_HEADER];
    try {
      if (!isPublicRoute(req.path)) {
        // A key, when one is sent, always wins; otherwise the UI session cookie (with CSRF protection on
        // state-changing requests, ARCHITECTURE §7); with neither, the key authenticator's 401.
        const session =
          deps.sessions && extractKey(req.headers).kind === 'none'
            ? await deps.sessions.authenticate(req.headers)
            : null;
        if (session) {
          assertCsrf(req.method, req.headers, session.csrfToken);
          res.locals.principal = session.principal;
        } else {
          const { principal } = await deps.authenticator.authenticate(req.headers);
          res.locals.principal = principal;
        }
      }
    } catch (err) {
      next(err);
      return;
    }
    proxies[owner](req, res, next);
  };
}
