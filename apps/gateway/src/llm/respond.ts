import type { ServerResponse } from 'node:http';
import { isProxyError, type Logger, ProxyError } from '@llmgw/http';

/**
 * Response headers as a flat `[name, value, ...]` list. The hot path writes them with one `writeHead`
 * (no `setHeader` before it), which lets node:http skip building its header map for every response.
 */
export type HeaderList = string[];

/** Writes a JSON response on the lean hot path (no Express), echoing the request id. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  reqId: string,
  headers?: Record<string, string>,
): void {
  const payload = JSON.stringify(body);
  const list: HeaderList = ['x-request-id', reqId];
  if (headers) for (const k in headers) list.push(k, headers[k] as string);
  list.push('content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload)));
  res.writeHead(status, list);
  res.end(payload);
}

/** Known errors keep their status and LiteLLM body; anything else is a 500 with no internals. */
export function sendError(res: ServerResponse, err: unknown, logger: Logger, reqId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (isProxyError(err)) {
    sendJson(res, err.status, err.toBody(), reqId, err.headers);
    return;
  }
  logger.error({ err, reqId }, 'unhandled error on llm route');
  sendJson(
    res,
    500,
    new ProxyError({ status: 500, message: 'Internal Server Error', type: 'internal_server_error' }).toBody(),
    reqId,
  );
}
