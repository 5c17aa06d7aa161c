import type { IncomingHttpHeaders } from 'node:http';

export type ExtractedKey = { kind: 'none' } | { kind: 'malformed' } | { kind: 'key'; value: string };

/** Strips an optional `Bearer `/`bearer `/`Basic ` prefix. */
function stripScheme(value: string): string | null {
  const m = /^(?:bearer|basic)\s+(.*)$/i.exec(value.trim());
  return m ? (m[1] ?? '').trim() : null;
}

/**
 * Reads the caller's key from the headers LiteLLM accepts, in LiteLLM's order (wire contract §0.1):
 * x-litellm-api-key, Authorization (Bearer required), API-Key, x-api-key, x-goog-api-key,
 * Ocp-Apim-Subscription-Key.
 */
export function extractKey(headers: IncomingHttpHeaders): ExtractedKey {
  const custom = headers['x-litellm-api-key'];
  if (typeof custom === 'string' && custom)
    return { kind: 'key', value: stripScheme(custom) ?? custom.trim() };
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const v = stripScheme(auth);
    return v ? { kind: 'key', value: v } : { kind: 'malformed' };
  }
  for (const name of ['api-key', 'x-api-key', 'x-goog-api-key', 'ocp-apim-subscription-key']) {
    const v = headers[name];
    if (typeof v === 'string' && v) return { kind: 'key', value: v.trim() };
  }
  return { kind: 'none' };
}
