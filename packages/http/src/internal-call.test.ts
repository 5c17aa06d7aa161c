import { PRINCIPAL_HEADER, SYSTEM_PRINCIPAL } from '@llmgw/contracts';
import { z } from 'zod';
import { callInternal, InternalCallError } from './internal-call';
import { verifyPrincipal } from './principal-signing';

const SECRET = 'unit-test-internal-secret-0123456789';
const schema = z.object({ ok: z.boolean() });

interface Seen {
  url: string;
  method: string | undefined;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that records the request and answers `status` with `body` (a string is sent as is). */
function fakeFetch(status: number, body: unknown) {
  const seen: Seen[] = [];
  const fn = (async (url: string, init: RequestInit) => {
    seen.push({
      url,
      method: init.method,
      headers: init.headers as Record<string, string>,
      body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
    });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
  return { fn, seen };
}

const base = { baseUrl: 'http://svc.test', internalSecret: SECRET, timeoutMs: 1000, schema };

describe('callInternal', () => {
  it('when called with a query, then it GETs the url with the query and a signed SYSTEM_PRINCIPAL, and answers the parsed body', async () => {
    const { fn, seen } = fakeFetch(200, { ok: true, extra: 1 });
    const out = await callInternal({
      ...base,
      path: '/internal/x',
      query: { a: '1', b: undefined },
      fetch: fn,
    });
    expect(out).toEqual({ ok: true });
    expect(seen).toEqual([
      {
        url: 'http://svc.test/internal/x?a=1',
        method: 'GET',
        headers: { [PRINCIPAL_HEADER]: expect.any(String) },
        body: undefined,
      },
    ]);
    expect(verifyPrincipal(seen[0]?.headers[PRINCIPAL_HEADER], SECRET)).toEqual({
      ok: true,
      principal: SYSTEM_PRINCIPAL,
    });
  });

  it('when called with a body, then it POSTs it as JSON', async () => {
    const { fn, seen } = fakeFetch(200, { ok: false });
    expect(await callInternal({ ...base, path: '/internal/y', body: { n: 1 }, fetch: fn })).toEqual({
      ok: false,
    });
    expect(seen).toEqual([
      {
        url: 'http://svc.test/internal/y',
        method: 'POST',
        headers: { [PRINCIPAL_HEADER]: expect.any(String), 'content-type': 'application/json' },
        body: { n: 1 },
      },
    ]);
  });

  it('when the service answers an error status, then it throws InternalCallError with the status and the JSON body', async () => {
    const { fn } = fakeFetch(422, { detail: 'bad' });
    const err = await callInternal({ ...base, path: '/internal/z', body: {}, fetch: fn }).catch((e) => e);
    expect(err).toBeInstanceOf(InternalCallError);
    expect({ message: err.message, status: err.status, body: err.body }).toEqual({
      message: '/internal/z answered 422',
      status: 422,
      body: { detail: 'bad' },
    });
  });

  it('when the answer does not match the schema (or is not JSON), then it throws InternalCallError', async () => {
    for (const body of [{ ok: 'yes' }, 'not json']) {
      const { fn } = fakeFetch(200, body);
      const err = await callInternal({ ...base, path: '/internal/z', fetch: fn }).catch((e) => e);
      expect(err).toBeInstanceOf(InternalCallError);
      expect({ message: err.message, status: err.status }).toEqual({
        message: '/internal/z answered an invalid body',
        status: 200,
      });
    }
  });

  it('when the service cannot be reached, then it throws InternalCallError without a status', async () => {
    const fn = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const err = await callInternal({ ...base, path: '/internal/z', fetch: fn }).catch((e) => e);
    expect(err).toBeInstanceOf(InternalCallError);
    expect({ message: err.message, status: err.status, body: err.body }).toEqual({
      message: '/internal/z unreachable: fetch failed',
      status: null,
      body: null,
    });
  });
});
