import { createHash } from 'node:crypto';
import { z } from 'zod';
import { roleSchema } from './principal';

/**
 * UI sessions (ARCHITECTURE §5, §7). Identity creates them at login and onboarding; the gateway reads
 * them to authenticate management calls made with the session cookie. The cookie carries an opaque
 * random id (32 bytes, base64url); Redis stores the record under a key derived from sha256(id), so a
 * Redis dump does not reveal usable session ids.
 */
export const SESSION_COOKIE = 'llmgw_session';
/** Readable by the UI's JavaScript, which echoes it in `x-csrf-token` on state-changing calls. */
export const CSRF_COOKIE = 'csrf_token';
export const CSRF_HEADER = 'x-csrf-token';
/** Absolute lifetime of a session (LiteLLM's UI session keys last 24 h too). */
export const SESSION_TTL_SECONDS = 24 * 3600;

export const sessionRecordSchema = z.object({
  userId: z.string(),
  role: roleSchema,
  csrfToken: z.string().min(16),
  /** ISO-8601. */
  createdAt: z.string(),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

/** What the Redis key of a session is derived from: never the raw id. */
export const sessionIdHash = (id: string): string => createHash('sha256').update(id).digest('hex');

/** A session id as minted by identity: 32 random bytes in base64url (43 chars). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Cookie header parsing and Set-Cookie writing for the two session cookies. Small on purpose: the
 * `cookie` package is ESM-only and the values here are base64url tokens, so RFC 6265's subset suffices.
 * The first occurrence of a name wins; values that are not valid percent-encoding are kept as sent.
 */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export interface SetCookieOptions {
  httpOnly?: boolean;
  secure?: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  path?: string;
  sameSite?: 'Lax' | 'Strict';
}

export function serializeSetCookie(name: string, value: string, opts: SetCookieOptions): string {
  const parts = [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${opts.path ?? '/'}`,
    `Max-Age=${opts.maxAge}`,
  ];
  if (opts.maxAge === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (opts.httpOnly) parts.push('HttpOnly');
  if (opts.secure) parts.push('Secure');
  parts.push(`SameSite=${opts.sameSite ?? 'Lax'}`);
  return parts.join('; ');
}
