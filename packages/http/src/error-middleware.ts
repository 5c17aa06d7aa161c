import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { isDetailError, isProxyError, ProxyError } from './errors';

/** FastAPI's 422 shape for body validation errors, which LiteLLM clients parse. */
export function zodToDetail(err: ZodError, location: 'body' | 'query') {
  return {
    detail: err.issues.map((issue) => ({
      type: issue.code,
      loc: [location, ...issue.path.map(String)],
      msg: issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    })),
  };
}

/** Thrown by `parseBody`/`parseQuery` so the middleware knows where the bad field was. */
export class ValidationError extends Error {
  constructor(
    readonly zodError: ZodError,
    readonly location: 'body' | 'query',
  ) {
    super(zodError.message);
    this.name = 'ValidationError';
  }
}

interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
}

/**
 * The one error middleware of every Express app. Maps known errors to their status and body; anything
 * else becomes a generic 500 with no internals, and only 5xx are logged with their stack.
 */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const reqId = res.getHeader('x-request-id');
    if (isProxyError(err)) {
      for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
      if (err.status >= 500) logger.error({ err, reqId }, 'request failed');
      res.status(err.status).json(err.toBody());
      return;
    }
    if (isDetailError(err)) {
      res.status(err.status).json({ detail: err.detail });
      return;
    }
    if (err instanceof ValidationError) {
      res.status(422).json(zodToDetail(err.zodError, err.location));
      return;
    }
    if (err instanceof ZodError) {
      res.status(422).json(zodToDetail(err, 'body'));
      return;
    }
    const bodyErr = err as BodyParserError;
    if (bodyErr?.type === 'entity.parse.failed') {
      res.status(400).json(
        new ProxyError({
          status: 400,
          message: `Invalid JSON payload: ${bodyErr.message ?? 'could not parse'}`,
          type: 'invalid_request_error',
          param: 'request_body',
        }).toBody(),
      );
      return;
    }
    if (bodyErr?.type === 'entity.too.large') {
      res.status(413).json(
        new ProxyError({
          status: 413,
          message: 'request body is too large',
          type: 'invalid_request_error',
          param: 'request_body',
        }).toBody(),
      );
      return;
    }
    if (typeof bodyErr?.status === 'number' && bodyErr.status >= 400 && bodyErr.status < 500) {
      res.status(bodyErr.status).json(
        new ProxyError({
          status: bodyErr.status,
          message: bodyErr.message ?? 'bad request',
          type: 'invalid_request_error',
          param: null,
        }).toBody(),
      );
      return;
    }
    logger.error({ err, reqId, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json(
      new ProxyError({
        status: 500,
        message: 'Internal Server Error',
        type: 'internal_server_error',
        param: 'None',
      }).toBody(),
    );
  };
}

/** 404 for routes no one owns, in the envelope. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(
    new ProxyError({
      status: 404,
      message: `route ${req.method} ${req.path} not found`,
      type: 'not_found_error',
      param: null,
    }).toBody(),
  );
};
