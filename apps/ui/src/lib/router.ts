import { useEffect, useState } from 'react';

/** Everything the console shows lives under /ui (served by the gateway, SPA fallback to index.html). */
export const BASE = '/ui';

export interface Location {
  /** Path inside the app: `/`, `/keys`, `/onboarding`. */
  path: string;
  search: URLSearchParams;
}

/** `/ui`, `/ui/`, `/ui/keys/` → `/`, `/`, `/keys`. Paths outside the base map to `/`. */
export function appPath(pathname: string): string {
  if (pathname !== BASE && !pathname.startsWith(`${BASE}/`)) return '/';
  const rest = pathname.slice(BASE.length).replace(/\/+$/, '');
  return rest === '' ? '/' : rest;
}

export function href(path: string): string {
  return path === '/' ? `${BASE}/` : `${BASE}${path}`;
}

function current(): Location {
  return { path: appPath(window.location.pathname), search: new URLSearchParams(window.location.search) };
}

const EVENT = 'llmgw:navigate';

/** Client-side navigation inside the app (`to` is an app path, optionally with a query). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = href(to);
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(EVENT));
  window.scrollTo(0, 0);
}

/** Where a server-provided redirect goes: our own pages in-app; anything else is a full navigation. */
export function followRedirect(redirectUrl: string | null | undefined, fallback: string): void {
  if (!redirectUrl) {
    navigate(fallback, { replace: true });
    return;
  }
  let url: URL;
  try {
    url = new URL(redirectUrl, window.location.origin);
  } catch {
    navigate(fallback, { replace: true });
    return;
  }
  // Identity answers absolute URLs on PROXY_BASE_URL; the UI stays on the origin it was loaded from.
  if (url.pathname === BASE || url.pathname.startsWith(`${BASE}/`)) {
    navigate(`${appPath(url.pathname)}${url.search}`, { replace: true });
    return;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') window.location.assign(url.toString());
  else navigate(fallback, { replace: true });
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return location;
}
