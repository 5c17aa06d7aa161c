import { ProxyError } from '@llmgw/http';

/** Errors of the spend totals routes (internal and /global/spend/reset). */
export const totalsErrors = {
  badDuration: (value: string) =>
    new ProxyError({
      status: 400,
      message: `budget_duration '${value.slice(0, 32)}' is not a duration like 30s, 5m, 24h, 7d, 2w or 1mo`,
      type: 'bad_request_error',
      param: 'budget_duration',
    }),
  badMemberId: (id: string) =>
    new ProxyError({
      status: 400,
      message: `member id '${id.slice(0, 64)}' must be '<team id>:<user id>'`,
      type: 'bad_request_error',
      param: 'id',
    }),
  /** Budget resets landed between every read and write of a seed: the caller retries. */
  seedContended: () =>
    new ProxyError({
      status: 503,
      message: 'budget counters are being reset, retry shortly',
      type: 'service_unavailable',
      param: null,
    }),
};
