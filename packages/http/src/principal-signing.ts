import { createHmac, timingSafeEqual } from 'node:crypto';
import { PRINCIPAL_HEADER, type Principal, principalSchema } from '@llmgw/contracts';
import type { RequestHandler } from 'express';
import { authError } from './errors';

/** A signed principal is accepted for this long after signing (clock skew between hosts included). */
export const PRINCIPAL_MAX_AGE_MS = 60_000;

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** `<base64url(json)>.<unix ms>.<hmac-sha256(base64url json + "." + ms)>` */
export function signPrincipal(principal: Principal, secret: string, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify(principal)).toString('base64url');
  const payload = `${body}.${now}`;
  return `${payload}.${mac(secret, payload)}`;
}

export type VerifyResult = { ok: true; principal: Principal } | { ok: false; reason: string };

export function verifyPrincipal(header: string | undefined, secret: string, now = Date.now()): VerifyResult {
  if (!header) return { ok: false, reason: 'missing internal principal' };
  const parts = header.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed internal principal' };
  const [body = '', ts = '', sig = ''] = parts;
  const expected = Buffer.from(mac(secret, `${body}.${ts}`));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'forged internal principal' };
  }
  const signedAt = Number(ts);
  if (!Number.isFinite(signedAt) || Math.abs(now - signedAt) > PRINCIPAL_MAX_AGE_MS) {
    return { ok: false, reason: 'stale internal principal' };
  }
  try {
    const parsed = principalSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    return parsed.success ? { ok: true, principal: parsed.data } : { ok: false, reason: 'invalid principal' };
  } catch {
    return { ok: false, reason: 'invalid principal' };
  }
}

/**
 * Services accept only principals the gateway signed. Routes behind this middleware read the caller from
 * `res.locals.principal`; unsigned, stale or forged headers get 401.
 */
export function requirePrincipal(secret: string, now: () => number = Date.now): RequestHandler {
  return (req, res, next) => {
    const result = verifyPrincipal(req.header(PRINCIPAL_HEADER), secret, now());
    if (!result.ok) {
      next(authError(`${result.reason}. Call this service through the gateway.`));
      return;
    }
    res.locals.principal = result.principal;
    next();
  };
}

/** Reads the principal set by `requirePrincipal`. */
export function principalOf(res: { locals: Record<string, unknown> }): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw new Error('principalOf called on a route without requirePrincipal');
  return p;
}
