import { CSRF_COOKIE, CSRF_HEADER, readCookie } from './cookies';
import { ApiError, errorMessage } from './errors';

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  method?: 'GET' | 'POST';
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Do not tell the unauthorized listeners about a 401 (the session check itself). */
  quiet401?: boolean;
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called when the session is gone (a 401 on a session call): the app shows the login page. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function buildUrl(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * One call to the gateway's public API. The session travels in the HttpOnly cookie (never readable
 * here, never stored by the UI); state-changing calls echo the readable CSRF cookie in `x-csrf-token`.
 * Throws ApiError with a readable message for any non-2xx answer.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = readCookie(document.cookie, CSRF_COOKIE);
    if (csrf) headers[CSRF_HEADER] = csrf;
  }
  let res: Response;
  try {
    res = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'include',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, errorMessage(0, null), null);
  }
  const text = await res.text();
  let body: unknown = text;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
  } else {
    body = null;
  }
  if (!res.ok) {
    // A 401 may be a role denial too, so listeners re-check the session rather than assume it ended.
    if (res.status === 401 && !options.quiet401) for (const listener of unauthorizedListeners) listener();
    throw new ApiError(res.status, errorMessage(res.status, body), body);
  }
  return body as T;
}
