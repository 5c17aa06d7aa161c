import { createHmac } from 'node:crypto';
import { PRINCIPAL_HEADER, type Principal } from '@llmgw/contracts';
import express from 'express';
import request from 'supertest';
import { errorMiddleware } from './error-middleware';
import { createLogger } from './logger';
import {
  PRINCIPAL_MAX_AGE_MS,
  principalOf,
  requirePrincipal,
  signPrincipal,
  verifyPrincipal,
} from './principal-signing';

const SECRET = 'unit-test-internal-secret-0123456789';
const NOW = 1_715_000_000_000;

const principal: Principal = {
  kind: 'key',
  userId: 'user-123',
  role: 'internal_user',
  keyHash: 'a'.repeat(64),
  teamId: 'team-1',
  sessionId: null,
};

const macOf = (secret: string, payload: string) =>
  createHmac('sha256', secret).update(payload).digest('base64url');

/** A header with a valid MAC over any body text, to reach the checks after the MAC. */
function signRaw(bodyJson: string, ts: string, secret = SECRET): string {
  const body = Buffer.from(bodyJson).toString('base64url');
  return `${body}.${ts}.${macOf(secret, `${body}.${ts}`)}`;
}

describe('signPrincipal', () => {
  test('when signing, then the header is base64url(json).ms.hmac over the first two parts', () => {
    const header = signPrincipal(principal, SECRET, NOW);
    const [body, ts, sig] = header.split('.');

    expect(header.split('.')).toHaveLength(3);
    expect(JSON.parse(Buffer.from(body!, 'base64url').toString('utf8'))).toEqual(principal);
    expect(ts).toBe(String(NOW));
    expect(sig).toBe(macOf(SECRET, `${body}.${ts}`));
  });
});

describe('verifyPrincipal', () => {
  test('when a header is signed and verified with the same secret and clock, then the principal comes back', () => {
    expect(verifyPrincipal(signPrincipal(principal, SECRET, NOW), SECRET, NOW)).toEqual({
      ok: true,
      principal,
    });
  });

  test('when the principal is the master key, then it round-trips too', () => {
    const master: Principal = {
      kind: 'master',
      userId: 'default_user_id',
      role: 'proxy_admin',
      keyHash: null,
      teamId: null,
      sessionId: null,
    };

    expect(verifyPrincipal(signPrincipal(master, SECRET, NOW), SECRET, NOW)).toEqual({
      ok: true,
      principal: master,
    });
  });

  test('when the role is "unknown", then it round-trips', () => {
    const unknown: Principal = { ...principal, role: 'unknown', userId: null };

    expect(verifyPrincipal(signPrincipal(unknown, SECRET, NOW), SECRET, NOW)).toEqual({
      ok: true,
      principal: unknown,
    });
  });

  test('when the header is missing, then the reason is "missing internal principal"', () => {
    expect(verifyPrincipal(undefined, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'missing internal principal',
    });
  });

  test('when the header is empty, then it counts as missing', () => {
    expect(verifyPrincipal('', SECRET, NOW)).toEqual({ ok: false, reason: 'missing internal principal' });
  });

  test.each(['garbage', 'a.b', 'a.b.c.d', `${signPrincipal(principal, SECRET, NOW)}.extra`])(
    'when the header is "%s" (not three parts), then the reason is "malformed internal principal"',
    (header) => {
      expect(verifyPrincipal(header, SECRET, NOW)).toEqual({
        ok: false,
        reason: 'malformed internal principal',
      });
    },
  );

  test('when the MAC is forged, then the reason is "forged internal principal"', () => {
    const [body, ts] = signPrincipal(principal, SECRET, NOW).split('.');
    const forged = `${body}.${ts}.${macOf('attacker-secret', `${body}.${ts}`)}`;

    expect(verifyPrincipal(forged, SECRET, NOW)).toEqual({ ok: false, reason: 'forged internal principal' });
  });

  test('when the MAC has the wrong length, then it is forged, not a crash', () => {
    const [body, ts] = signPrincipal(principal, SECRET, NOW).split('.');

    expect(verifyPrincipal(`${body}.${ts}.short`, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'forged internal principal',
    });
  });

  test('when the payload is tampered with (role raised to proxy_admin), then it is forged', () => {
    const [, ts, sig] = signPrincipal(principal, SECRET, NOW).split('.');
    const raised = Buffer.from(JSON.stringify({ ...principal, role: 'proxy_admin' })).toString('base64url');

    expect(verifyPrincipal(`${raised}.${ts}.${sig}`, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'forged internal principal',
    });
  });

  test('when the timestamp is tampered with to refresh an old header, then it is forged', () => {
    const [body, , sig] = signPrincipal(principal, SECRET, NOW - 10 * 60_000).split('.');

    expect(verifyPrincipal(`${body}.${NOW}.${sig}`, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'forged internal principal',
    });
  });

  test('when verified with the wrong secret, then it is forged', () => {
    expect(
      verifyPrincipal(signPrincipal(principal, SECRET, NOW), 'another-secret-of-enough-length', NOW),
    ).toEqual({ ok: false, reason: 'forged internal principal' });
  });

  test('when signed exactly 60 s ago, then it is still accepted', () => {
    expect(PRINCIPAL_MAX_AGE_MS).toBe(60_000);
    expect(verifyPrincipal(signPrincipal(principal, SECRET, NOW - 60_000), SECRET, NOW)).toEqual({
      ok: true,
      principal,
    });
  });

  test('when signed more than 60 s ago, then the reason is "stale internal principal"', () => {
    expect(verifyPrincipal(signPrincipal(principal, SECRET, NOW - 60_001), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'stale internal principal',
    });
  });

  test('when signed more than 60 s in the future, then it is stale too', () => {
    expect(verifyPrincipal(signPrincipal(principal, SECRET, NOW + 60_001), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'stale internal principal',
    });
  });

  test('when signed up to 60 s in the future (clock skew), then it is accepted', () => {
    expect(verifyPrincipal(signPrincipal(principal, SECRET, NOW + 60_000), SECRET, NOW)).toEqual({
      ok: true,
      principal,
    });
  });

  test('when the timestamp is not a number but correctly signed, then it is stale', () => {
    expect(verifyPrincipal(signRaw(JSON.stringify(principal), 'yesterday'), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'stale internal principal',
    });
  });

  test('when the signed payload fails the principal schema, then the reason is "invalid principal"', () => {
    const bad = { ...principal, role: 'superuser' } as unknown as Principal;

    expect(verifyPrincipal(signPrincipal(bad, SECRET, NOW), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'invalid principal',
    });
  });

  test('when the signed payload misses a field, then it is an invalid principal', () => {
    const { sessionId: _omitted, ...partial } = principal;

    expect(verifyPrincipal(signRaw(JSON.stringify(partial), String(NOW)), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'invalid principal',
    });
  });

  test('when the signed payload is not JSON, then it is an invalid principal', () => {
    expect(verifyPrincipal(signRaw('{not json', String(NOW)), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'invalid principal',
    });
  });
});

describe('requirePrincipal', () => {
  function app() {
    const logger = createLogger({ name: 'test', level: 'silent', destination: { write: () => undefined } });
    const a = express();
    a.get(
      '/whoami',
      requirePrincipal(SECRET, () => NOW),
      (_req, res) => {
        res.json(principalOf(res));
      },
    );
    a.use(errorMiddleware(logger));
    return a;
  }

  const envelope = (reason: string) => ({
    error: {
      message: `Authentication Error, ${reason}. Call this service through the gateway.`,
      type: 'auth_error',
      param: 'None',
      code: '401',
    },
  });

  test('when the header is valid, then the route sees the principal in res.locals', async () => {
    const res = await request(app())
      .get('/whoami')
      .set(PRINCIPAL_HEADER, signPrincipal(principal, SECRET, NOW));

    expect(res.status).toBe(200);
    expect(res.body).toEqual(principal);
  });

  test('when the header is missing, then 401 with the LiteLLM envelope', async () => {
    const res = await request(app()).get('/whoami');

    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.text).toBe(
      '{"error":{"message":"Authentication Error, missing internal principal. Call this service through the gateway.","type":"auth_error","param":"None","code":"401"}}',
    );
  });

  test('when the header is malformed, then 401 naming it malformed', async () => {
    const res = await request(app()).get('/whoami').set(PRINCIPAL_HEADER, 'nope');

    expect(res.status).toBe(401);
    expect(res.body).toEqual(envelope('malformed internal principal'));
  });

  test('when the header is forged, then 401 naming it forged', async () => {
    const res = await request(app())
      .get('/whoami')
      .set(PRINCIPAL_HEADER, signPrincipal(principal, 'some-other-secret-value', NOW));

    expect(res.status).toBe(401);
    expect(res.body).toEqual(envelope('forged internal principal'));
  });

  test('when the header is stale, then 401 naming it stale', async () => {
    const res = await request(app())
      .get('/whoami')
      .set(PRINCIPAL_HEADER, signPrincipal(principal, SECRET, NOW - 120_000));

    expect(res.status).toBe(401);
    expect(res.body).toEqual(envelope('stale internal principal'));
  });

  test('when the payload is schema-invalid, then 401 naming an invalid principal', async () => {
    const res = await request(app())
      .get('/whoami')
      .set(PRINCIPAL_HEADER, signRaw('{"kind":"key"}', String(NOW)));

    expect(res.status).toBe(401);
    expect(res.body).toEqual(envelope('invalid principal'));
  });
});

describe('principalOf', () => {
  test('when res.locals has no principal, then it throws a programming error', () => {
    expect(() => principalOf({ locals: {} })).toThrow(
      new Error('principalOf called on a route without requirePrincipal'),
    );
  });

  test('when res.locals has a principal, then it is returned', () => {
    expect(principalOf({ locals: { principal } })).toEqual(principal);
  });
});
