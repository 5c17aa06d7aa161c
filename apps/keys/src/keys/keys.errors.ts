import { authError, ProxyError } from '@llmgw/http';

/** Every error the keys routes answer with, worded and typed as LiteLLM does (wire contract §1.2). */
export const keyErrors = {
  invalidCustomKey: (key: string) =>
    new ProxyError({
      status: 400,
      message: `Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: ${key.slice(0, 3)}...`,
      type: 'bad_request_error',
      param: 'key',
    }),
  aliasTaken: (alias: string) =>
    new ProxyError({
      status: 400,
      message: `Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`,
      type: 'bad_request_error',
      param: 'key_alias',
    }),
  keyTaken: () =>
    new ProxyError({
      status: 400,
      message: 'this key already exists',
      type: 'bad_request_error',
      param: 'key',
    }),
  onlyOwnKeys: (given: string, own: string | null) =>
    new ProxyError({
      status: 403,
      message: `User can only create keys for themselves. Got user_id=${given}, Your ID=${own ?? 'None'}`,
      type: 'auth_error',
      param: 'user_id',
    }),
  viewerDenied: (role: string, route: string) =>
    new ProxyError({
      status: 403,
      message: `user not allowed to access this route, role= ${role}. Trying to access: ${route}`,
      type: 'auth_error',
      param: 'None',
    }),
  routeDenied: authError,
};
