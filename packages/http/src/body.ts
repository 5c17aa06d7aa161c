import express, { type RequestHandler } from 'express';
import type { z } from 'zod';
import { ValidationError } from './error-middleware';

/** JSON body parser for management routes: 1 MB by default (ARCHITECTURE §7), 413 above. */
export const jsonBody = (limit = '1mb'): RequestHandler => express.json({ limit, strict: false });

/** Validates `req.body` (undefined treated as {}); bad types become a 422 naming the field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ValidationError(result.error, 'body');
  return result.data;
}

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query ?? {});
  if (!result.success) throw new ValidationError(result.error, 'query');
  return result.data;
}
