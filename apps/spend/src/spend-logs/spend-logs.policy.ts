import { checkRouteAccess } from '@llmgw/auth';
import type { Principal } from '@llmgw/contracts';
import { ProxyError } from '@llmgw/http';
import type { RowScope } from './spend-logs.repository';

const isAdmin = (p: Principal) =>
  p.kind === 'master' || p.role === 'proxy_admin' || p.role === 'proxy_admin_viewer';

/**
 * Whose spend a caller may read (ARCHITECTURE §5): admins (and the master key) everything; everyone else
 * only the rows of their own user, on every route and whatever they ask for. LiteLLM lets internal
 * users read any key's or request's logs through `api_key=` and `request_id=`; we do not.
 */
export function rowScopeOf(p: Principal): RowScope {
  return isAdmin(p) ? { all: true } : { all: false, userId: p.userId };
}

/**
 * The shared permission matrix (wire contract §2), checked here too: the gateway forwards every
 * authenticated caller, and the route layer's denials carry LiteLLM's exact bodies.
 */
export function assertRouteAccess(p: Principal, method: string, path: string): void {
  const decision = checkRouteAccess(p, method, path);
  if (decision.allowed) return;
  throw new ProxyError({
    status: decision.status,
    message: decision.body.error.message,
    type: decision.body.error.type,
    param: decision.body.error.param,
  });
}
