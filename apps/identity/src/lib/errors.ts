import { DetailError, ProxyError } from '@llmgw/http';
import { pyRepr } from './py-repr';

/**
 * LiteLLM's `handle_exception_on_proxy`: an HTTPException whose detail is a dict becomes a ProxyException
 * whose message is the Python repr of the dict, type `internal_server_error`, param "None".
 */
export const wrappedDetail = (
  status: number,
  detail: Record<string, unknown>,
  type = 'internal_server_error',
) => new ProxyError({ status, message: pyRepr(detail), type, param: 'None' });

/** A raw FastAPI HTTPException body, `{"detail": {"error": message}}`. */
export const rawDetail = (status: number, message: string) => new DetailError(status, { error: message });

/** 403 of a handler-level check, in LiteLLM's auth_error shape. */
export const forbidden = (message: string, param: string | null = 'None') =>
  new ProxyError({ status: 403, message, type: 'auth_error', param });

/** A request field with a bad value that zod could not catch (400 naming the field). */
export const badField = (field: string, message: string) =>
  new ProxyError({ status: 400, message, type: 'bad_request_error', param: field });

/** A dependency (keys service, queue) is down: nothing a client sent is wrong, retry later. */
export const unavailable = (message: string) =>
  new ProxyError({ status: 503, message, type: 'service_unavailable', param: null });
