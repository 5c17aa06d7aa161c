import type { Principal, Role } from '@llmgw/contracts';
import { maskUserId } from './roles';
import { isLlmRoute, isPublicRoute } from './routes';

/**
 * The role/route permission matrix (wire contract §2, with the stricter rows of ARCHITECTURE §5): one
 * table, read by the gateway and by every service, of which caller may reach which management route.
 * It decides at the route level only, exactly like LiteLLM's route layer; the handler then narrows the
 * answer to the caller's own data (the `scope` of each rule says how).
 */

/** A caller as the route layer sees it: one of the four roles, or a key without a user row. */
export type CallerRole = Role | 'unknown';

const PA: CallerRole = 'proxy_admin';
const PAV: CallerRole = 'proxy_admin_viewer';
const IU: CallerRole = 'internal_user';
const IUV: CallerRole = 'internal_user_viewer';
const UNKNOWN: CallerRole = 'unknown';
const EVERYONE = [PA, PAV, IU, IUV, UNKNOWN] as const;
/** Every role, but not a key without a user row. */
const SIGNED_IN = [PA, PAV, IU, IUV] as const;

/**
 * `public`: no credentials; `master`: the master key only (not even a proxy_admin user or session);
 * otherwise the roles that pass the route layer (proxy_admin always does).
 */
export type RouteAccessRule = 'public' | 'master' | readonly CallerRole[];

/**
 * How the handler narrows a route that the route layer let through:
 * - `any`: no further check; `self`: non-admins see or change only their own data;
 * - `team`: team admins (role admin in the team) act on their own team; members read it;
 * - `fields`: non-admins may send only some fields (the handler names a forbidden one in a 403).
 */
export type RouteScope = 'any' | 'self' | 'team' | 'fields';

export interface RoutePermission {
  method: 'GET' | 'POST';
  /** Exact path, or with `{param}` segments. */
  path: string;
  access: RouteAccessRule;
  scope: RouteScope;
}

const rule = (
  method: RoutePermission['method'],
  path: string,
  access: RouteAccessRule,
  scope: RouteScope = 'any',
): RoutePermission => ({ method, path, access, scope });

const ADMIN_ONLY = [PA] as const;
const ADMINS = [PA, PAV] as const;
const KEY_WRITERS = [PA, IU] as const;
/** LiteLLM's "self-managed" routes: every role but the viewer admin reaches the handler, which decides. */
const SELF_MANAGED = [PA, IU, IUV, UNKNOWN] as const;

export const ROUTE_PERMISSIONS: readonly RoutePermission[] = [
  // ---- identity: users ----
  rule('POST', '/user/new', ADMIN_ONLY),
  rule('GET', '/user/info', EVERYONE, 'self'),
  // Stricter than LiteLLM v1.80.9 for admins, looser for users: every user may update its own email,
  // password and alias; role, budget, spend, models, limits and teams stay admin-only (checked per field).
  rule('POST', '/user/update', [PA, PAV, IU, IUV], 'fields'),
  rule('POST', '/user/delete', ADMIN_ONLY),
  rule('GET', '/user/list', ADMINS),
  // LiteLLM made this readable by any caller after v1.80.9; it reveals only the four role labels.
  rule('GET', '/user/available_roles', EVERYONE),
  // ---- identity: teams ----
  rule('POST', '/team/new', ADMIN_ONLY),
  rule('POST', '/team/update', ADMIN_ONLY),
  rule('POST', '/team/delete', ADMIN_ONLY),
  rule('POST', '/team/block', ADMIN_ONLY),
  rule('POST', '/team/unblock', ADMIN_ONLY),
  rule('GET', '/team/info', EVERYONE, 'team'),
  rule('GET', '/team/list', EVERYONE, 'self'),
  rule('POST', '/team/member_add', SELF_MANAGED, 'team'),
  rule('POST', '/team/member_delete', SELF_MANAGED, 'team'),
  rule('POST', '/team/member_update', SELF_MANAGED, 'team'),
  // ---- identity: invitations, onboarding, login ----
  rule('POST', '/invitation/new', ADMIN_ONLY),
  rule('GET', '/invitation/info', ADMIN_ONLY),
  rule('POST', '/invitation/update', ADMIN_ONLY),
  rule('POST', '/invitation/delete', ADMIN_ONLY),
  rule('GET', '/onboarding/get_token', 'public'),
  rule('POST', '/onboarding/claim_token', 'public'),
  rule('POST', '/login', 'public'),
  rule('POST', '/v2/login', 'public'),
  rule('POST', '/logout', 'public'),
  rule('GET', '/logout', 'public'),
  rule('GET', '/sso/get/ui_settings', EVERYONE),
  // ---- keys ----
  rule('POST', '/key/generate', KEY_WRITERS, 'self'),
  rule('POST', '/key/update', KEY_WRITERS, 'self'),
  rule('POST', '/key/delete', KEY_WRITERS, 'self'),
  rule('POST', '/key/regenerate', KEY_WRITERS, 'self'),
  rule('POST', '/key/{key}/regenerate', KEY_WRITERS, 'self'),
  rule('POST', '/key/service-account/generate', KEY_WRITERS, 'self'),
  rule('GET', '/key/info', EVERYONE, 'self'),
  rule('GET', '/key/list', EVERYONE, 'self'),
  rule('POST', '/key/health', EVERYONE),
  // LiteLLM lets internal users block any key (no ownership check); we keep it admin-only.
  rule('POST', '/key/block', ADMIN_ONLY),
  rule('POST', '/key/unblock', ADMIN_ONLY),
  // ---- spend (the spend service scopes non-admins to their own spend on every branch) ----
  rule('GET', '/spend/logs', [PA, IU, IUV], 'self'),
  rule('GET', '/spend/keys', [PA, IU, IUV], 'self'),
  rule('GET', '/spend/users', [PA, IU, IUV], 'self'),
  rule('GET', '/spend/tags', [PA, IU, IUV], 'self'),
  rule('POST', '/spend/calculate', [PA, IU, IUV]),
  rule('GET', '/global/spend', [PA, PAV, IUV], 'self'),
  rule('GET', '/global/spend/logs', [PA, PAV, IUV], 'self'),
  rule('GET', '/global/spend/teams', [PA, PAV, IUV], 'self'),
  rule('GET', '/global/spend/tags', SIGNED_IN, 'self'),
  rule('GET', '/global/spend/keys', SIGNED_IN, 'self'),
  rule('GET', '/global/spend/models', SIGNED_IN, 'self'),
  rule('GET', '/global/spend/provider', SIGNED_IN, 'self'),
  rule('POST', '/global/spend/end_users', SIGNED_IN, 'self'),
  rule('POST', '/global/spend/reset', 'master'),
];

const toRegExp = (path: string) =>
  new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
const COMPILED = ROUTE_PERMISSIONS.map((r) => ({ rule: r, re: toRegExp(r.path) }));

/** The rule of a route: same method and path first; another method of the same path otherwise. */
export function routePermission(method: string, path: string): RoutePermission | null {
  const byPath = COMPILED.filter((c) => c.re.test(path));
  const exact = byPath.find((c) => c.rule.method === method.toUpperCase());
  return (exact ?? byPath[0])?.rule ?? null;
}

/** LiteLLM's error body of a route denial. */
export interface RouteDenyBody {
  error: { message: string; type: 'auth_error'; param: 'None'; code: '401' | '403' };
}

export type RouteDecision =
  | { allowed: true; rule: RoutePermission | null }
  | { allowed: false; status: 401 | 403; body: RouteDenyBody };

function deny(status: 401 | 403, message: string): RouteDecision {
  return {
    allowed: false,
    status,
    body: { error: { message, type: 'auth_error', param: 'None', code: status === 401 ? '401' : '403' } },
  };
}

/**
 * May this caller reach this route? Public and LLM routes: yes. The master key: everything. Otherwise the
 * table decides; routes missing from it are proxy-admin-only (LiteLLM's "otherwise" row). Denials carry
 * LiteLLM's exact bodies: 403 for proxy_admin_viewer, 401 with the masked user id for everyone else.
 */
export function checkRouteAccess(
  principal: Pick<Principal, 'kind' | 'role' | 'userId'>,
  method: string,
  path: string,
): RouteDecision {
  const found = routePermission(method, path);
  if (found?.access === 'public' || (!found && (isPublicRoute(path) || isLlmRoute(path)))) {
    return { allowed: true, rule: found };
  }
  if (found?.access === 'master') {
    return principal.kind === 'master'
      ? { allowed: true, rule: found }
      : deny(401, `Authentication Error, Tried to access route=${path}, which is only for MASTER KEY`);
  }
  if (principal.role === 'proxy_admin') return { allowed: true, rule: found };
  if (found && (found.access as readonly CallerRole[]).includes(principal.role)) {
    return { allowed: true, rule: found };
  }
  if (principal.role === 'proxy_admin_viewer') {
    return deny(
      403,
      `user not allowed to access this route, role= ${principal.role}. Trying to access: ${path}`,
    );
  }
  return deny(
    401,
    `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${path}. Your role=${principal.role}. Your user_id=${maskUserId(principal.userId)}`,
  );
}
