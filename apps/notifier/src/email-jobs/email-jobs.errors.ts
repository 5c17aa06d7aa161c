import { badRequest, notFound, ProxyError, serviceUnavailable } from '@llmgw/http';

/** Every error the /email routes answer with, in the LiteLLM envelope. */
export const emailJobErrors = {
  /** Worded like LiteLLM's route denial for proxy_admin_viewer (wire contract §2). */
  forbidden: (role: string, route: string) =>
    new ProxyError({
      status: 403,
      message: `user not allowed to access this route, role= ${role}. Trying to access: ${route}`,
      type: 'auth_error',
      param: 'None',
    }),
  notFound: (jobId: string) => notFound(`email job \`${jobId}\` not found`, 'job_id'),
  notFailed: (jobId: string, state: string) =>
    badRequest(
      `email job \`${jobId}\` is not failed (state: ${state}); only failed jobs can be retried`,
      'job_id',
    ),
  invalidPayload: (jobId: string, fields: string) =>
    badRequest(`email job \`${jobId}\` cannot be retried: invalid ${fields}`, 'to'),
  queueUnavailable: () => serviceUnavailable('the email queue is unavailable (Redis), retry shortly'),
};
