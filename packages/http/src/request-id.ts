import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes a caller's `x-request-id` when it is a sane token, otherwise mints one; echoes it back. */
export function ensureRequestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

export const requestIdMiddleware: RequestHandler = (req, res, next) => {
  res.locals.requestId = ensureRequestId(req, res);
  next();
};
