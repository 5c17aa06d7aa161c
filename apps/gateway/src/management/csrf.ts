import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CSRF_HEADER } from '@llmgw/contracts';
import { ProxyError } from '@llmgw/http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isStateChanging = (method: string | undefined) =>
  !SAFE_METHODS.has((method ?? 'GET').toUpperCase());

/**
 * CSRF protection of cookie-authenticated requests (ARCHITECTURE §7): a state-changing request must send
 * the session's CSRF token (the readable `csrf_token` cookie) in `x-csrf-token`; it is compared with the
 * token stored in the session, in constant time. Key-authenticated requests never get here.
 */
export function assertCsrf(method: string | undefined, headers: IncomingHttpHeaders, expected: string): void {
  if (!isStateChanging(method)) return;
  const sent = headers[CSRF_HEADER];
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  const want = Buffer.from(expected);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new ProxyError({
      status: 403,
      message: `CSRF token missing or invalid. Send the value of the csrf_token cookie in the ${CSRF_HEADER} header.`,
      type: 'auth_error',
      param: 'None',
    });
  }
}
