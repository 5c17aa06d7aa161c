import { PRINCIPAL_HEADER, type Principal, SYSTEM_PRINCIPAL } from '@llmgw/contracts';
import type { z } from 'zod';
import { signPrincipal } from './principal-signing';

/**
 * A service-to-service call that did not give a valid answer: unreachable or timed out (`status` null),
 * an error status (`status` and the parsed JSON `body`), or a 2xx whose body did not match the schema.
 */
export class InternalCallError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'InternalCallError';
  }
}

export interface InternalCall<S extends z.ZodType> {
  baseUrl: string;
  path: string;
  internalSecret: string;
  timeoutMs: number;
  /** The answer's schema; the result is its parsed output. */
  schema: S;
  method?: 'GET' | 'POST';
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | undefined>;
  /** JSON body (POST). */
  body?: unknown;
  /** Who calls; default the SYSTEM_PRINCIPAL (background and service work). */
  principal?: Principal;
  /** For tests; default the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Calls another service's route with a freshly signed principal, a timeout, and the answer validated by
 * zod. Throws InternalCallError for every way it can go wrong, so callers branch on one error type.
 */
export async function callInternal<S extends z.ZodType>(call: InternalCall<S>): Promise<z.output<S>> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(call.query ?? {})) {
    if (value !== undefined) query.set(name, value);
  }
  const qs = query.toString();
  const url = `${call.baseUrl}${call.path}${qs ? `?${qs}` : ''}`;
  const doFetch = call.fetch ?? fetch;
  let res: Response;
  let text: string;
  try {
    res = await doFetch(url, {
      method: call.method ?? (call.body === undefined ? 'GET' : 'POST'),
      headers: {
        [PRINCIPAL_HEADER]: signPrincipal(call.principal ?? SYSTEM_PRINCIPAL, call.internalSecret),
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    throw new InternalCallError(`${call.path} unreachable: ${(err as Error).message}`);
  }
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.status < 200 || res.status >= 300) {
    throw new InternalCallError(`${call.path} answered ${res.status}`, res.status, json);
  }
  const parsed = call.schema.safeParse(json);
  if (!parsed.success) {
    throw new InternalCallError(`${call.path} answered an invalid body`, res.status, json);
  }
  return parsed.data;
}
