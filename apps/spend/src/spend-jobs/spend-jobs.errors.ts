import { ProxyError } from '@llmgw/http';

export const spendJobErrors = {
  notFound: (jobId: string) =>
    new ProxyError({
      status: 404,
      message: `spend job ${jobId.slice(0, 128)} not found`,
      type: 'not_found_error',
      param: 'job_id',
    }),
  notFailed: (jobId: string, state: string) =>
    new ProxyError({
      status: 400,
      message: `spend job ${jobId.slice(0, 128)} is ${state}, not failed`,
      type: 'bad_request_error',
      param: 'job_id',
    }),
  invalidPayload: (jobId: string, reason: string) =>
    new ProxyError({
      status: 400,
      message: `spend job ${jobId.slice(0, 128)} cannot be retried: ${reason}`,
      type: 'bad_request_error',
      param: 'job_id',
    }),
  queueUnavailable: () =>
    new ProxyError({
      status: 503,
      message: 'the spend queue is unavailable (redis), retry shortly',
      type: 'service_unavailable',
      param: null,
    }),
};
