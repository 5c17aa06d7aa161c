import type { IncomingMessage } from 'node:http';
import { ProxyError } from '@llmgw/http';

/** Reads a request body up to `limit` bytes; larger bodies get 413 before they are buffered. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(tooLarge(limit));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge(limit));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

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
