import { useEffect } from 'react';
import { api, type KeyRow, type SpendLog } from '../api/endpoints';
import { ApiError, isUnavailable } from '../api/errors';
import { SpendChart } from '../components/spend-chart';
import { Badge, Card, EmptyState, Loading, Notice, PageHeader, Stat } from '../components/ui';
import { formatBudget, formatCount, formatDate, formatUsd, lastDaysRange } from '../lib/format';
import { isAdmin, type Me } from '../lib/session';
import { type SpendSummary, summarizeDays } from '../lib/spend-summary';
import { useAsync } from '../lib/use-async';

const DAYS = 30;

interface Account {
  /** Lifetime totals of the caller's user row (null for a proxy admin, who has none here). */
  spend: number | null;
  maxBudget: number | null;
  keys: KeyRow[];
}

async function loadAccount(): Promise<Account> {
  const [info, keys] = await Promise.all([api.whoAmI(), api.listKeys(1, 100).catch(() => null)]);
  const row = info.user_info;
  return {
    spend: row ? row.spend : null,
    maxBudget: row ? row.max_budget : null,
    keys: keys?.items ?? info.keys ?? [],
  };
}

async function loadSummary(): Promise<SpendSummary> {
  const { start, end } = lastDaysRange(DAYS);
  return summarizeDays(await api.dailySpend(start, end));
}

function keyLabel(log: SpendLog, byHash: Map<string, KeyRow>): string {
  const alias = log.metadata?.user_api_key_alias;
  if (alias) return alias;
  const key = log.api_key ? byHash.get(log.api_key) : undefined;
  return key?.key_alias ?? key?.key_name ?? (log.api_key ? `${log.api_key.slice(0, 8)}…` : '—');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What a spend read failure means to the reader: not there yet, not allowed, or an error. */
function SpendUnavailable({ error, what }: { error: unknown; what: string }) {
  if (isUnavailable(error)) {
    return (
      <EmptyState title="Usage details are not available yet">
        Spend reporting is starting up or not enabled on this gateway. Keys work as usual; check back later.
      </EmptyState>
    );
  }
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    return <EmptyState title="Not included in your role">Your role cannot see {what}.</EmptyState>;
  }
  return (
    <Notice kind="error" title={`${what[0]?.toUpperCase()}${what.slice(1)} could not be loaded`}>
      {errorText(error)}
    </Notice>
  );
}

export function SpendPage({ me }: { me: Me }) {
  const admin = isAdmin(me.role);
  const [account] = useAsync(loadAccount, [me.role, me.userId]);
  const [summary] = useAsync(loadSummary, []);
  const [logs] = useAsync(() => api.spendLogs(50), []);

  useEffect(() => {
    document.title = 'Usage · LLM Gateway';
  }, []);

  const keys = account.data?.keys ?? [];
  const byHash = new Map(keys.map((k) => [k.token, k]));
  const last30 = summary.data ? formatUsd(summary.data.total) : summary.status === 'error' ? '—' : '…';
  const keyRows = [...keys]
    .map((k) => ({ key: k, recent: summary.data?.byKey.get(k.token) ?? 0 }))
    .sort((a, b) => b.recent - a.recent || (b.key.spend ?? 0) - (a.key.spend ?? 0))
    .slice(0, 10);

  return (
    <>
      <PageHeader
        title="Usage"
        description={
          admin
            ? 'Spend of the whole gateway over the last 30 days, and the most recent calls.'
            : 'What your keys have spent over the last 30 days, and your most recent calls.'
        }
      />
      {account.status === 'error' && (
        <Notice kind="error" title="Your account could not be loaded">
          {errorText(account.error)}
        </Notice>
      )}
      <div className="stats">
        <Stat
          label="Spend, last 30 days"
          value={last30}
          sub={admin ? 'All keys of the gateway' : 'All your keys'}
        />
        {admin ? (
          <Stat
            label="Top model, last 30 days"
            value={summary.data?.models[0]?.model ?? (summary.data ? 'None yet' : '…')}
            sub={summary.data?.models[0] ? formatUsd(summary.data.models[0].spend) : undefined}
          />
        ) : (
          <Stat
            label="Your budget"
            value={account.data ? formatBudget(account.data.maxBudget) : '…'}
            sub={account.data ? `${formatUsd(account.data.spend)} spent in total` : undefined}
          />
        )}
        <Stat label={admin ? 'Keys' : 'Your keys'} value={account.data ? formatCount(keys.length) : '…'} />
      </div>

      <Card title="Daily spend" description="The last 30 days, in UTC.">
        {summary.status === 'loading' && !summary.data && <Loading />}
        {summary.status === 'error' && <SpendUnavailable error={summary.error} what="daily spend" />}
        {summary.data && <SpendChart days={summary.data.days} />}
      </Card>

      <Card title="Spend by key">
        {account.status === 'loading' && !account.data && <Loading />}
        {account.data && keyRows.length === 0 && (
          <EmptyState title="No keys yet">Spend appears here once a key is used.</EmptyState>
        )}
        {keyRows.length > 0 && (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col" className="num">
                    Last 30 days
                  </th>
                  <th scope="col" className="num">
                    Total
                  </th>
                  <th scope="col" className="num">
                    Budget
                  </th>
                  <th scope="col">Budget used</th>
                </tr>
              </thead>
              <tbody>
                {keyRows.map(({ key: k, recent }) => {
                  const pct =
                    k.max_budget && k.max_budget > 0
                      ? Math.min(100, ((k.spend ?? 0) / k.max_budget) * 100)
                      : null;
                  return (
                    <tr key={k.token}>
                      <td>
                        <span className="strong">{k.key_alias ?? 'Unnamed'}</span> <code>{k.key_name}</code>
                      </td>
                      <td className="num">{summary.data ? formatUsd(recent) : '—'}</td>
                      <td className="num">{formatUsd(k.spend)}</td>
                      <td className="num">{formatBudget(k.max_budget)}</td>
                      <td className="meter-cell">
                        {pct === null ? (
                          <span className="muted">No limit</span>
                        ) : (
                          <meter
                            min={0}
                            max={100}
                            value={pct}
                            aria-label={`${Math.round(pct)}% of the budget of ${k.key_alias ?? k.key_name ?? 'this key'} used`}
                          />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <Card title="Recent calls" description="The last 50 calls, newest first.">
        {logs.status === 'loading' && !logs.data && <Loading label="Loading calls…" />}
        {logs.status === 'error' && <SpendUnavailable error={logs.error} what="call details" />}
        {logs.data && logs.data.length === 0 && (
          <EmptyState title="No calls yet">
            Calls made with {admin ? 'any key' : 'your keys'} show up here a few seconds after they finish.
          </EmptyState>
        )}
        {logs.data && logs.data.length > 0 && (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Model</th>
                  <th scope="col">Key</th>
                  <th scope="col" className="num">
                    Tokens (in / out)
                  </th>
                  <th scope="col" className="num">
                    Cost
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {logs.data.map((log) => {
                  const status = log.status ?? log.metadata?.status ?? 'success';
                  return (
                    <tr key={log.request_id}>
                      <td>{formatDate(log.startTime)}</td>
                      <td>{log.model ?? '—'}</td>
                      <td>{keyLabel(log, byHash)}</td>
                      <td className="num">
                        {formatCount(log.prompt_tokens)} / {formatCount(log.completion_tokens)}
                      </td>
                      <td className="num">{formatUsd(log.spend)}</td>
                      <td>
                        <Badge tone={status === 'success' ? 'green' : 'red'}>{status}</Badge>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
