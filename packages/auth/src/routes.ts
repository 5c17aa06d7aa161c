/**
 * Route groups shared by the gateway (which routes it serves itself and which it forwards) and by the
 * services (which role may call what). One table, so the two never disagree.
 */

/** OpenAI-compatible routes the gateway serves itself on its lean hot path. */
const LLM_ROUTE_PATTERNS: RegExp[] = [
  /^\/(v1\/)?chat\/completions$/,
  /^\/(v1\/)?completions$/,
  /^\/(v1\/)?embeddings$/,
  /^\/(v1\/)?models(\/[^/]+)?$/,
  /^\/engines\/[^/]+\/chat\/completions$/,
  /^\/openai\/deployments\/[^/]+\/chat\/completions$/,
];

export function isLlmRoute(path: string): boolean {
  return LLM_ROUTE_PATTERNS.some((re) => re.test(path));
}

export type Owner = 'identity' | 'keys' | 'spend' | 'notifier';

/** Which service owns a management route (ARCHITECTURE §2, "Route ownership"). */
export function routeOwner(path: string): Owner | null {
  if (/^\/(user|team|invitation|onboarding)(\/|$)/.test(path)) return 'identity';
  if (/^\/(login|v2\/login|logout)$/.test(path) || path === '/sso/get/ui_settings') return 'identity';
  if (/^\/key(\/|$)/.test(path)) return 'keys';
  if (/^\/(spend|global\/spend)(\/|$)/.test(path)) return 'spend';
  if (/^\/email(\/|$)/.test(path)) return 'notifier';
  return null;
}

/**
 * Routes reachable with no credentials (they carry no principal). `/logout` is one: identity ends the
 * session named by the cookie itself, so that logging out works even when the session has expired.
 */
export function isPublicRoute(path: string): boolean {
  return (
    path.startsWith('/health/') ||
    path === '/login' ||
    path === '/v2/login' ||
    path === '/logout' ||
    path.startsWith('/onboarding/') ||
    path === '/ui' ||
    path.startsWith('/ui/') ||
    path === '/' ||
    path === '/routes' ||
    path === '/metrics'
  );
}
