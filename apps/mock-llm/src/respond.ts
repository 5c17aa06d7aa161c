import type { IncomingMessage, ServerResponse } from 'node:http';

/** A finished JSON answer. `cuttable` ones (generated text) obey x-mock-fail-after-chunks. */
export interface JsonPlan {
  kind: 'json';
  status: number;
  body: string;
  cuttable: boolean;
}

/** SSE frames, [DONE] included; content chunks are frames[firstContent .. firstContent+contentCount). */
export interface StreamPlan {
  kind: 'sse';
  frames: string[];
  firstContent: number;
  contentCount: number;
}

export type Plan = JsonPlan | StreamPlan;

/** The life of one tracked request, shared with the close handler so it can stop timers. */
export interface Exchange {
  timer: NodeJS.Timeout | undefined;
  closed: boolean;
  /** Set when the mock itself cut the connection, so the close is not counted as a client abort. */
  cut: boolean;
}

export const DONE_FRAME = 'data: [DONE]\n\n';

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Ends the connection mid-response without the terminating chunk: the client sees the body stop short,
 * as when an upstream crashes. Ending (rather than destroying) first lets the frames already written
 * reach the client, so "after N chunks" is exact.
 */
export function cutConnection(res: ServerResponse, ex: Exchange): void {
  ex.cut = true;
  const socket = res.socket;
  if (!socket) {
    res.destroy();
    return;
  }
  socket.end(() => socket.destroy());
}

/** Writes a plan now (the latency wait is over). */
export function sendPlan(
  res: ServerResponse,
  plan: Plan,
  failAfterChunks: number,
  chunkDelayMs: number,
  ex: Exchange,
): void {
  if (plan.kind === 'json') {
    if (plan.cuttable && failAfterChunks >= 0) cutConnection(res, ex);
    else sendJson(res, plan.status, plan.body);
    return;
  }
  const cutAt = failAfterChunks >= 0 ? plan.firstContent + Math.min(failAfterChunks, plan.contentCount) : -1;
  res.writeHead(200, SSE_HEADERS);
  if (chunkDelayMs === 0) writeAll(res, plan.frames, cutAt, ex);
  else pump(res, plan.frames, cutAt, chunkDelayMs, ex);
}

// With no delay every frame is ready at the same instant, so they go out together: one chunk of the
// chunked body and one syscall instead of one per frame (SSE parsers do not care about chunk borders).
function writeAll(res: ServerResponse, frames: string[], cutAt: number, ex: Exchange): void {
  if (cutAt < 0) {
    res.cork();
    res.write(frames.join(''));
    res.end();
    return;
  }
  if (cutAt === 0) {
    // Headers normally leave with the first write; with nothing to write they must be flushed.
    res.flushHeaders();
  } else {
    res.write(frames.slice(0, cutAt).join(''));
  }
  cutConnection(res, ex);
}

function pump(res: ServerResponse, frames: string[], cutAt: number, delayMs: number, ex: Exchange): void {
  let i = 0;
  const step = () => {
    ex.timer = undefined;
    if (ex.closed) return;
    if (i === cutAt) {
      if (i === 0) res.flushHeaders();
      cutConnection(res, ex);
      return;
    }
    res.write(frames[i++] as string);
    if (i === frames.length) {
      res.end();
      return;
    }
    ex.timer = setTimeout(step, delayMs);
  };
  step();
}

export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Calls back with the body text, or undefined when it exceeded `limit` bytes. */
export function readBody(
  req: IncomingMessage,
  limit: number,
  done: (text: string | undefined) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > limit) done(undefined);
    else if (chunks.length === 1) done((chunks[0] as Buffer).toString('utf8'));
    else done(Buffer.concat(chunks).toString('utf8'));
  });
}
