/**
 * OpenAI's error envelope. Unlike LiteLLM's (see @llmgw/http), `code` is a word, not the status,
 * because this process plays the upstream provider the gateway talks to.
 */
export interface OpenAIError {
  status: number;
  body: string;
}

export function openAIError(
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
): OpenAIError {
  return { status, body: JSON.stringify({ error: { message, type, param, code } }) };
}

export const invalidRequest = (message: string, code: string | null, param: string | null = null) =>
  openAIError(400, message, 'invalid_request_error', code, param);

export const missingParameter = (param: string) =>
  invalidRequest(`Missing required parameter: '${param}'.`, 'missing_required_parameter', param);

export const invalidParameter = (param: string, message: string) =>
  invalidRequest(message, 'invalid_value', param);

export const INVALID_API_KEY = openAIError(
  401,
  'Incorrect API key provided',
  'invalid_request_error',
  'invalid_api_key',
);

export const notFound = (method: string, path: string) =>
  openAIError(404, `Unknown request URL: ${method} ${path}`, 'invalid_request_error', 'not_found');

const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'invalid_api_key',
  403: 'permission_denied',
  404: 'not_found',
  408: 'timeout',
  409: 'conflict',
  413: 'request_too_large',
  422: 'unprocessable_entity',
  429: 'rate_limit_exceeded',
  503: 'service_unavailable',
};

const injected = new Map<number, OpenAIError>();

/** The body an injected `x-mock-error-status` answers with; built once per status. */
export function injectedError(status: number): OpenAIError {
  let err = injected.get(status);
  if (!err) {
    const type =
      status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'invalid_request');
    err = openAIError(status, `mock error ${status}`, type, code);
    injected.set(status, err);
  }
  return err;
}
