/**
 * The gateway answers errors in the shapes LiteLLM uses (wire contract §0.2): the OpenAI envelope
 * `{"error": {"message", ...}}`, FastAPI's `{"detail": "..."}` or `{"detail": {"error": "..."}}`, and
 * 422 validation lists `{"detail": [{"loc", "msg"}]}`. This turns any of them into one readable line.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** LiteLLM wraps some messages as a Python dict repr: `{'error': 'User with email x already exists'}`. */
function unwrapPythonRepr(message: string): string {
  const m = /^\{'error': ['"](.*)['"]\}$/s.exec(message.trim());
  return m?.[1] ?? message;
}

function validationMessage(items: unknown[]): string | null {
  const parts = items.filter(isRecord).map((item) => {
    const loc = Array.isArray(item.loc)
      ? item.loc.filter((p) => p !== 'body' && p !== 'query').join('.')
      : '';
    const msg = typeof item.msg === 'string' ? item.msg : 'is invalid';
    return loc ? `${loc}: ${msg}` : msg;
  });
  return parts.length > 0 ? parts.join('; ') : null;
}

/** The human-readable message of an error body, or a generic one naming the status. */
export function errorMessage(status: number, body: unknown): string {
  if (isRecord(body)) {
    const { error, detail } = body;
    if (isRecord(error) && typeof error.message === 'string') return unwrapPythonRepr(error.message);
    if (typeof error === 'string') return error;
    if (typeof detail === 'string') return detail;
    if (isRecord(detail) && typeof detail.error === 'string') return detail.error;
    if (Array.isArray(detail)) {
      const msg = validationMessage(detail);
      if (msg) return msg;
    }
  }
  if (typeof body === 'string' && body.trim() && body.length < 300 && !body.trim().startsWith('<')) {
    return body.trim();
  }
  if (status === 0) return 'The gateway could not be reached. Check your connection and retry.';
  if (status >= 500) return `The server had a problem (HTTP ${status}). Retry in a moment.`;
  return `Request failed (HTTP ${status}).`;
}

/** True when a route is not there (yet) or its service is down: pages show an empty state instead. */
export function isUnavailable(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 502 || err.status === 503);
}
