import type { IncomingMessage } from 'node:http';
import { ProxyError } from '@llmgw/http';

/** The most MAX_INFLIGHT_BODY_BYTES defaults to, on a large heap. */
const DEFAULT_MAX_INFLIGHT_BODY_BYTES = 256 * 1024 * 1024;
/** Heap the gateway needs besides request bodies: code, caches, sockets, young-generation headroom. */
const BASE_HEAP_BYTES = 48 * 1024 * 1024;
/** Heap a body costs while it is in flight: its bytes, the parsed object, the upstream payload. */
const HEAP_BYTES_PER_BODY_BYTE = 3;

/**
 * The default of MAX_INFLIGHT_BODY_BYTES, from the V8 heap limit (`--max-old-space-size`, or Node's own
 * choice from the machine's memory): as many body bytes as fit beside the gateway's own heap, at most
 * DEFAULT_MAX_INFLIGHT_BODY_BYTES, and never less than one largest body. Without this, a small heap set
 * for a small RSS (and the 256 MB default) lets a burst of large bodies crash the process.
 */
export function defaultInflightBodyBytes(heapLimitBytes: number, maxBodyBytes: number): number {
  const fits = Math.floor((heapLimitBytes - BASE_HEAP_BYTES) / HEAP_BYTES_PER_BODY_BYTE);
  return Math.max(maxBodyBytes, Math.min(DEFAULT_MAX_INFLIGHT_BODY_BYTES, fits));
}

/** True when a body of `maxBodyBytes` alone does not fit in the heap beside the gateway's own. */
export function bodyLimitExceedsHeap(heapLimitBytes: number, maxBodyBytes: number): boolean {
  return BASE_HEAP_BYTES + HEAP_BYTES_PER_BODY_BYTE * maxBodyBytes > heapLimitBytes;
}

/**
 * The request-body bytes the gateway holds at once, across all requests (from the first byte read until
 * the response is done). A burst of large bodies gets 503 instead of growing the heap without bound.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly max: number) {}

  /** Takes `n` bytes; false (and nothing taken) when that would go over the budget. */
  take(n: number): boolean {
    if (this.used + n > this.max) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  get inUse(): number {
    return this.used;
  }
}

/**
 * Reads a request body up to `limit` bytes; larger bodies get 413 before they are buffered. With a
 * budget, the bytes read are taken from it as they arrive (503 when it is full) and stay taken after
 * the body is returned: the caller gives back `body.length` when the response is done. On any failure
 * here the bytes are given back at once.
 */
export function readBody(req: IncomingMessage, limit: number, budget?: BodyBudget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(tooLarge(limit));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    // Once settled, later events change nothing (the caller owns the bytes of a returned body).
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      budget?.give(size);
      req.removeAllListeners('data');
      req.resume();
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (size + chunk.length > limit) return fail(tooLarge(limit));
      if (budget && !budget.take(chunk.length)) return fail(busy());
      size += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', fail);
    // A client that leaves mid-body may end the stream with neither 'end' nor 'error'.
    req.on('close', () => fail(new Error('the client closed the connection before sending its whole body')));
  });
}

const busy = () =>
  new ProxyError({
    status: 503,
    message:
      'the gateway is holding too many request bodies right now (MAX_INFLIGHT_BODY_BYTES), retry shortly',
    type: 'service_unavailable',
    param: null,
    headers: { 'retry-after': '1' },
  });

const tooLarge = (limit: number) =>
  new ProxyError({
    status: 413,
    message: `request body is larger than the limit of ${limit} bytes`,
    type: 'invalid_request_error',
    param: 'request_body',
  });

/** Parses a JSON object body; invalid JSON is a 400 before any auth, as in LiteLLM. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ProxyError({
      status: 400,
      message: `Invalid JSON payload: ${(err as Error).message}`,
      type: 'invalid_request_error',
      param: 'request_body',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProxyError({
      status: 400,
      message: 'Invalid JSON payload: the body must be a JSON object',
      type: 'invalid_request_error',
      param: 'request_body',
    });
  }
  return value as Record<string, unknown>;
}
