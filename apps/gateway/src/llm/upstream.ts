import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { ProxyError } from '@llmgw/http';
import type { Deployment } from '../models/model-config';
import type { HeaderList } from './respond';
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
  /** Headers the gateway adds to the client response (x-request-id, x-litellm-*); appended to below. */
  responseHeaders: HeaderList;
  /**
   * Called for a buffered (non-stream) answer before its headers go out, to add cost headers. It may
   * return a promise (counting tokens when the upstream sent no usage); the answer waits for it.
   */
  beforeJsonResponse?: (status: number, body: Buffer, headers: HeaderList) => undefined | Promise<void>;
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

/** Errors of calls that failed before the upstream answered anything. */
const unanswered = new WeakSet<object>();

/**
 * True when the call failed before the upstream answered anything (connection refused, reset before the
 * status line), so another deployment may take it. A call that broke mid-answer is not retried: the
 * upstream already did (and may bill) the work.
 */
export function mayRetryElsewhere(err: unknown): boolean {
  return typeof err === 'object' && err !== null && unanswered.has(err);
}

function unreachable(d: Deployment, err: NodeJS.ErrnoException) {
  return new ProxyError({
    status: 502,
    message: `upstream for model ${d.modelName} at ${d.apiBase} is unreachable: ${err.code ?? err.message}`,
    type: 'api_connection_error',
    param: null,
  });
}

function brokenMidAnswer(d: Deployment) {
  return new ProxyError({
    status: 502,
    message: `upstream for model ${d.modelName} closed the connection mid-response`,
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
  const target = targetOf(d, call.path);
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
    const upReq = target.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method: 'POST',
        headers,
        agent: target.agent,
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
      else if (outcome.status > 0) finish(brokenMidAnswer(d));
      else {
        const e = unreachable(d, err);
        unanswered.add(e);
        finish(e);
      }
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

interface Target {
  request: typeof http.request;
  agent: http.Agent;
  protocol: string;
  hostname: string;
  port: string;
  path: string;
}

/** Where a deployment's calls go, parsed once per deployment and path instead of once per call. */
const targets = new WeakMap<Deployment, Map<string, Target>>();

function targetOf(d: Deployment, path: string): Target {
  let byPath = targets.get(d);
  if (!byPath) {
    byPath = new Map();
    targets.set(d, byPath);
  }
  let t = byPath.get(path);
  if (!t) {
    const url = new URL(`${d.apiBase}${path}`);
    const isHttps = url.protocol === 'https:';
    t = {
      request: isHttps ? https.request : http.request,
      agent: isHttps ? agents.https : agents.http,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
    };
    byPath.set(path, t);
  }
  return t;
}

/**
 * Bytes of `llm_provider-*` headers passed on at most: LiteLLM clients expect the whole response header
 * block under 4 KB, and an upstream's headers are not ours to bound.
 */
const MAX_PROVIDER_HEADER_BYTES = 2048;
/** Upstream headers not passed on as `llm_provider-*`. */
const NOT_ECHOED = new Set([
  'set-cookie',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-authenticate',
]);

/**
 * The client response's headers: the gateway's own, the upstream's rate-limit headers as they are, every
 * upstream header again as `llm_provider-<name>` (as LiteLLM does), and the content type.
 */
function headersFor(call: UpstreamCall, upRes: IncomingMessage): HeaderList {
  const list = call.responseHeaders;
  for (const name of PASS_HEADERS) {
    const v = upRes.headers[name];
    if (typeof v === 'string') list.push(name, v);
  }
  const raw = upRes.rawHeaders;
  let bytes = 0;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = (raw[i] as string).toLowerCase();
    // Cookies of the operator's upstream account are not the client's business, and hop-by-hop headers
    // describe a connection the client never had.
    if (NOT_ECHOED.has(lower)) continue;
    const name = `llm_provider-${lower}`;
    const value = raw[i + 1] as string;
    bytes += name.length + value.length + 4;
    if (bytes > MAX_PROVIDER_HEADER_BYTES) break;
    list.push(name, value);
  }
  list.push('content-type', upRes.headers['content-type'] ?? 'application/json');
  return list;
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
    const headers = headersFor(call, upRes);
    const send = () => {
      try {
        if (!res.destroyed && !res.headersSent) {
          headers.push('content-length', String(body.length));
          res.writeHead(outcome.status, headers);
          res.end(body);
        }
        finish();
      } catch (err) {
        // Inside a promise callback a throw would be an unhandled rejection; the caller answers instead.
        finish(err);
      }
    };
    const before = call.beforeJsonResponse?.(outcome.status, body, headers);
    // A failed cost count only loses the header; the answer goes out regardless.
    if (before) before.then(send, send);
    else send();
  });
  upRes.on('error', () => {
    outcome.upstreamFailed = true;
    finish(brokenMidAnswer(call.deployment));
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
  const headers = headersFor(call, upRes);
  headers.push('cache-control', 'no-cache', 'x-accel-buffering', 'no');
  res.writeHead(outcome.status, headers);
  res.flushHeaders();
  upRes.on('data', (chunk: Buffer) => {
    scanner.push(chunk);
    res.write(chunk);
  });
  upRes.on('end', () => {
    const unterminated = scanner.end();
    if (!scanner.done) res.write(unterminated ? `\n\n${DONE_FRAME}` : DONE_FRAME);
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
