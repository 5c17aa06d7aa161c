import type { ServerResponse } from 'node:http';
import { isProxyError, type Logger, ProxyError } from '@llmgw/http';

/** Writes a JSON response on the lean hot path (no Express). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.end(payload);
}

/** Known errors keep their status and LiteLLM body; anything else is a 500 with no internals. */
export function sendError(res: ServerResponse, err: unknown, logger: Logger, reqId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (isProxyError(err)) {
    sendJson(res, err.status, err.toBody(), err.headers);
    return;
  }
  logger.error({ err, reqId }, 'unhandled error on llm route');
  sendJson(
    res,
    500,
    new ProxyError({ status: 500, message: 'Internal Server Error', type: 'internal_server_error' }).toBody(),
  );
}
