import {
  CSRF_COOKIE,
  parseCookieHeader,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  serializeSetCookie,
} from '@llmgw/contracts';
import type { Response } from 'express';
import type { NewSession } from './session-store';

/**
 * The session cookie is HttpOnly (no script can read it), SameSite=Lax (not sent on cross-site POSTs)
 * and Secure when the public address is https. The CSRF cookie is readable by the UI, which echoes it in
 * `x-csrf-token`; the gateway compares it with the session's token on state-changing requests.
 */
export function setSessionCookies(res: Response, session: NewSession, secure: boolean): void {
  const maxAge = SESSION_TTL_SECONDS;
  res.append(
    'Set-Cookie',
    serializeSetCookie(SESSION_COOKIE, session.id, { httpOnly: true, secure, maxAge }),
  );
  res.append('Set-Cookie', serializeSetCookie(CSRF_COOKIE, session.csrfToken, { secure, maxAge }));
}

export function clearSessionCookies(res: Response, secure: boolean): void {
  res.append('Set-Cookie', serializeSetCookie(SESSION_COOKIE, '', { httpOnly: true, secure, maxAge: 0 }));
  res.append('Set-Cookie', serializeSetCookie(CSRF_COOKIE, '', { secure, maxAge: 0 }));
}

export function sessionIdFromCookies(header: string | undefined): string | null {
  return parseCookieHeader(header)[SESSION_COOKIE] ?? null;
}
