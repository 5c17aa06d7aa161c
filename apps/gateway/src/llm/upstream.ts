import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { ProxyError } from '@llmgw/http';
import type { Deployment } from '../models/model-config';

/** Keep-alive pools shared by every upstream call: a new TCP/TLS handshake per call costs milliseconds. */
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 30_000 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 30_000 }),
};

/** Upstream headers passed to the client as-is (OpenAI's own rate-limit headers). */
const PASS_HEADERS = [
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-limit-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
];

const DONE_FRAME = 'data: [DONE]\n\n';

export interface UpstreamCall {
  deployment: Deployment;
  /** Path below api_base, e.g. `/chat/completions`. */
  path: string;
  body: string;
  stream: boolean;
  timeoutMs: number;
  /** Headers the gateway adds to the client response (x-litellm-*). */
  responseHeaders: Record<string, string>;
}

function unreachable(d: Deployment, err: NodeJS.ErrnoException) {
  return new ProxyError({
    status: 502,
    message: `upstream for model ${d.modelName} at ${d.apiBase} is unreachable: ${err.code ?? err.message}`,
    type: 'api_connection_error',
    param: null,
  });
}

function timedOut(d: Deployment, ms: number) {
  return new ProxyError({
    status: 504,
    message: `upstream for model ${d.modelName} did not answer within ${ms} ms`,
    type: 'timeout_error',
    param: null,
  });
}

/**
 * Sends one call upstream and pipes the answer to the client as it arrives: no buffering, so SSE frames
 * reach the client when the upstream sends them. A stream always ends with `data: [DONE]`, even when the
 * upstream dies mid-stream (an error frame is sent first). A client that goes away aborts the upstream
 * request. Errors before the first byte reject with a ProxyError (502/504); upstream error statuses are
 * passed through with their body.
 */
export function callUpstream(call: UpstreamCall, res: ServerResponse): Promise<void> {
  const { deployment: d } = call;
  const url = new URL(`${d.apiBase}${call.path}`);
  const isHttps = url.protocol === 'https:';
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(call.body),
    accept: call.stream ? 'text/event-stream' : 'application/json',
  };
  if (d.apiKey) headers.authorization = `Bearer ${d.apiKey}`;

  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    };
    const upReq = (isHttps ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        agent: isHttps ? agents.https : agents.http,
      },
      (upRes) => pipeResponse(call, upRes, res, settle),
    );
    upReq.setTimeout(call.timeoutMs, () => upReq.destroy(timedOut(d, call.timeoutMs)));
    upReq.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof ProxyError) settle(err);
      else settle(unreachable(d, err));
    });
    // The client went away before we finished: stop the upstream work too.
    res.on('close', () => {
      if (!res.writableFinished) upReq.destroy();
    });
    upReq.end(call.body);
  });
}

function pipeResponse(
  call: UpstreamCall,
  upRes: IncomingMessage,
  res: ServerResponse,
  settle: (err?: unknown) => void,
): void {
  const status = upRes.statusCode ?? 502;
  const isSse =
    call.stream && status < 400 && String(upRes.headers['content-type'] ?? '').includes('event-stream');
  res.statusCode = status;
  for (const [k, v] of Object.entries(call.responseHeaders)) res.setHeader(k, v);
  for (const name of PASS_HEADERS) {
    const v = upRes.headers[name];
    if (v !== undefined) res.setHeader(name, v);
  }
  res.setHeader('content-type', upRes.headers['content-type'] ?? 'application/json');
  if (isSse) {
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
  } else if (upRes.headers['content-length']) {
    res.setHeader('content-length', upRes.headers['content-length']);
  }

  // The last bytes seen, to know whether the upstream sent its own [DONE].
  let tail = '';
  upRes.on('data', (chunk: Buffer) => {
    if (isSse) tail = (tail + chunk.toString('latin1')).slice(-32);
    res.write(chunk);
  });
  upRes.on('end', () => {
    if (isSse && !tail.includes('[DONE]')) res.write(DONE_FRAME);
    res.end();
    settle();
  });
  upRes.on('error', () => {
    // Upstream died after headers were sent: close the stream properly instead of hanging the client.
    if (isSse && !res.destroyed) {
      const frame = {
        error: {
          message: 'upstream connection lost mid-stream',
          type: 'api_connection_error',
          param: null,
          code: '502',
        },
      };
      res.write(`data: ${JSON.stringify(frame)}\n\n${DONE_FRAME}`);
      res.end();
    } else {
      res.destroy();
    }
    settle();
  });
  upRes.on('aborted', () => upRes.emit('error', new Error('aborted')));
}
