import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { ProxyError } from '@llmgw/http';
import type { Deployment } from '../models/model-config';
import { SseUsageScanner } from './usage';

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
  /** Called for a buffered (non-stream) answer before its headers go out, to add cost headers. */
  beforeJsonResponse?: (status: number, body: Buffer) => Record<string, string>;
}

/** What happened, for settling limits and recording spend. */
export interface UpstreamOutcome {
  status: number;
  /** The whole body of a non-stream answer. */
  body: Buffer | null;
  /** The SSE scanner of a stream (usage, id, text). */
  sse: SseUsageScanner | null;
  /** True when the client went away before the answer was complete. */
  clientAborted: boolean;
  /** True when the upstream failed mid-stream. */
  upstreamFailed: boolean;
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
 * Sends one call upstream. A stream is piped to the client frame by frame as it arrives (no buffering)
 * and always ends with `data: [DONE]`, even when the upstream dies mid-stream (an error frame is sent
 * first). A non-stream answer is read whole (it is useless to a client in parts) so that its cost can go
 * into the response headers. A client that goes away aborts the upstream request. Errors before the
 * first byte reject with a ProxyError (502/504); upstream error statuses pass through with their body.
 */
export function callUpstream(call: UpstreamCall, res: ServerResponse): Promise<UpstreamOutcome> {
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
    const outcome: UpstreamOutcome = {
      status: 0,
      body: null,
      sse: null,
      clientAborted: false,
      upstreamFailed: false,
    };
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(outcome);
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
      (upRes) => {
        outcome.status = upRes.statusCode ?? 502;
        const isSse =
          call.stream &&
          outcome.status < 400 &&
          String(upRes.headers['content-type'] ?? '').includes('event-stream');
        if (isSse) pipeStream(call, upRes, res, outcome, finish);
        else bufferJson(call, upRes, res, outcome, finish);
      },
    );
    upReq.setTimeout(call.timeoutMs, () => upReq.destroy(timedOut(d, call.timeoutMs)));
    upReq.on('error', (err: NodeJS.ErrnoException) => {
      if (outcome.clientAborted) finish();
      else if (err instanceof ProxyError) finish(err);
      else finish(unreachable(d, err));
    });
    // The client went away before we finished: stop the upstream work too (it is still charged for
    // what was generated until then).
    res.on('close', () => {
      if (!res.writableFinished) {
        outcome.clientAborted = true;
        upReq.destroy();
        finish();
      }
    });
    upReq.end(call.body);
  });
}

function copyHeaders(call: UpstreamCall, upRes: IncomingMessage, res: ServerResponse): void {
  res.statusCode = upRes.statusCode ?? 502;
  for (const [k, v] of Object.entries(call.responseHeaders)) res.setHeader(k, v);
  for (const name of PASS_HEADERS) {
    const v = upRes.headers[name];
    if (v !== undefined) res.setHeader(name, v);
  }
  res.setHeader('content-type', upRes.headers['content-type'] ?? 'application/json');
}

function bufferJson(
  call: UpstreamCall,
  upRes: IncomingMessage,
  res: ServerResponse,
  outcome: UpstreamOutcome,
  finish: (err?: unknown) => void,
): void {
  const chunks: Buffer[] = [];
  upRes.on('data', (c: Buffer) => chunks.push(c));
  upRes.on('end', () => {
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    outcome.body = body;
    if (res.destroyed) {
      finish();
      return;
    }
    copyHeaders(call, upRes, res);
    const extra = call.beforeJsonResponse?.(outcome.status, body) ?? {};
    for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
    res.setHeader('content-length', body.length);
    res.end(body);
    finish();
  });
  upRes.on('error', () => {
    outcome.upstreamFailed = true;
    if (!res.headersSent) res.setHeader('connection', 'close');
    finish(
      new ProxyError({
        status: 502,
        message: `upstream for model ${call.deployment.modelName} closed the connection mid-response`,
        type: 'api_connection_error',
        param: null,
      }),
    );
  });
  upRes.on('aborted', () => upRes.emit('error', new Error('aborted')));
}

function pipeStream(
  call: UpstreamCall,
  upRes: IncomingMessage,
  res: ServerResponse,
  outcome: UpstreamOutcome,
  finish: (err?: unknown) => void,
): void {
  const scanner = new SseUsageScanner();
  outcome.sse = scanner;
  copyHeaders(call, upRes, res);
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  // The last bytes seen, to know whether the upstream sent its own [DONE].
  let tail = '';
  upRes.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('latin1')).slice(-32);
    scanner.push(chunk);
    res.write(chunk);
  });
  upRes.on('end', () => {
    if (!tail.includes('[DONE]')) res.write(DONE_FRAME);
    res.end();
    finish();
  });
  let failed = false;
  upRes.on('error', () => {
    // Upstream died after headers were sent: close the stream properly instead of hanging the client.
    if (failed) return;
    failed = true;
    outcome.upstreamFailed = true;
    if (!res.destroyed && !res.writableEnded) {
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
    }
    finish();
  });
  upRes.on('aborted', () => upRes.emit('error', new Error('aborted')));
}
