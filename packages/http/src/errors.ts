/**
 * The LiteLLM/OpenAI error envelope: `{"error": {"message", "type", "param", "code"}}` where `code` is
 * the HTTP status as a string. LiteLLM sends `param: "None"` (the Python repr of None) in most auth
 * errors and `null` in budget errors; clients match on these, so we keep them exactly.
 */
export interface ErrorEnvelope {
  error: { message: string; type: string; param: string | null; code: string };
}

export interface ProxyErrorInit {
  status: number;
  message: string;
  type: string;
  param?: string | null;
  /** Defaults to the status as a string; upstream provider errors keep their own code. */
  code?: string;
  cause?: unknown;
  headers?: Record<string, string>;
}

const PROXY_ERROR = Symbol.for('llmgw.ProxyError');

/** An error with a known HTTP status and LiteLLM body. Anything else thrown is a 500 with no internals. */
export class ProxyError extends Error {
  readonly [PROXY_ERROR] = true;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(init: ProxyErrorInit) {
    super(init.message, { cause: init.cause });
    this.name = 'ProxyError';
    this.status = init.status;
    this.type = init.type;
    this.param = init.param === undefined ? 'None' : init.param;
    this.code = init.code ?? String(init.status);
    this.headers = init.headers ?? {};
  }

  toBody(): ErrorEnvelope {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** Does not rely on instanceof alone: two copies of this package in one process still agree. */
export function isProxyError(err: unknown): err is ProxyError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[PROXY_ERROR] === true;
}

/**
 * FastAPI-style raw HTTPException body `{"detail": ...}`, which some LiteLLM routes send instead of the
 * envelope (onboarding, invitations, team member routes). Kept so LiteLLM's UI and scripts keep working.
 */
export class DetailError extends Error {
  readonly [PROXY_ERROR] = false;
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
    this.name = 'DetailError';
  }
}

export function isDetailError(err: unknown): err is DetailError {
  return err instanceof DetailError;
}

/** 401 auth_error with LiteLLM's "Authentication Error, " prefix. */
export const authError = (message: string, status = 401) =>
  new ProxyError({ status, message: `Authentication Error, ${message}`, type: 'auth_error', param: 'None' });

export const badRequest = (message: string, param: string | null = null) =>
  new ProxyError({ status: 400, message, type: 'bad_request_error', param });

export const notFound = (message: string, param: string | null = null) =>
  new ProxyError({ status: 404, message, type: 'not_found_error', param });

export const serviceUnavailable = (message: string) =>
  new ProxyError({ status: 503, message, type: 'service_unavailable', param: null });
