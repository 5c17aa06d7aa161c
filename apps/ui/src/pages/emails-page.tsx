import { type FormEvent, Fragment, useEffect, useState } from 'react';
import { api, type FailedEmail } from '../api/endpoints';
import { isUnavailable } from '../api/errors';
import { Button, Card, EmptyState, Loading, Notice, PageHeader, Pager, TextField } from '../components/ui';
import { EMAIL_PATTERN, formatDate } from '../lib/format';
import { isFullAdmin, type Me } from '../lib/session';
import { useAsync } from '../lib/use-async';

const TEMPLATE_LABELS: Record<string, string> = {
  invitation: 'Invitation',
  password_reset: 'Password reset',
  'password-reset': 'Password reset',
};

async function retry(
  jobId: string,
  to?: string,
): Promise<{ ok: true; to: string } | { ok: false; error: string }> {
  try {
    const r = await api.retryEmail(jobId, to);
    return { ok: true, to: r.to };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function RetryButtons({
  job,
  onRetried,
  onChangeAddress,
}: {
  job: FailedEmail;
  onRetried: (to: string) => void;
  onChangeAddress: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <span className="actions-inline">
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
      <Button
        variant="secondary"
        className="btn-small"
        busy={busy}
        aria-label={`Retry the email to ${job.to ?? job.job_id}`}
        onClick={async () => {
          setError(null);
          setBusy(true);
          const r = await retry(job.job_id);
          setBusy(false);
          if (r.ok) onRetried(r.to);
          else setError(r.error);
        }}
      >
        Retry
      </Button>
      <Button variant="ghost" className="btn-small" onClick={onChangeAddress} disabled={busy}>
        New address
      </Button>
    </span>
  );
}

/** A row under the failed email: send it to a corrected address (e.g. after a 550 for a typo). */
function ChangeAddressRow({
  job,
  columns,
  onRetried,
  onCancel,
}: {
  job: FailedEmail;
  columns: number;
  onRetried: (to: string) => void;
  onCancel: () => void;
}) {
  const [to, setTo] = useState(job.to ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = to.trim();
    if (!EMAIL_PATTERN.test(value)) {
      setError('Enter an email address, e.g. ada@example.com');
      return;
    }
    setError(null);
    setBusy(true);
    const r = await retry(job.job_id, value === job.to ? undefined : value);
    setBusy(false);
    if (r.ok) onRetried(r.to);
    else setError(r.error);
  };

  return (
    <tr className="edit-row">
      <td colSpan={columns}>
        <form
          className="inline-form"
          onSubmit={submit}
          noValidate
          aria-label={`Send the email to ${job.to ?? 'someone'} to another address`}
        >
          <TextField
            label="Send to"
            type="email"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            error={error}
            autoFocus
            className="field-compact"
            hint="The email is sent again, to this address."
          />
          <Button type="submit" variant="primary" busy={busy}>
            Retry
          </Button>
          <Button variant="ghost" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        </form>
      </td>
    </tr>
  );
}

export function EmailsPage({ me }: { me: Me }) {
  const [page, setPage] = useState(1);
  const [emails, reload] = useAsync(() => api.failedEmails(page), [page]);
  const [message, setMessage] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const canRetry = isFullAdmin(me.role);
  const columns = canRetry ? 6 : 5;
  const retried = (to: string) => {
    setEditing(null);
    setMessage(`The email to ${to} was queued again.`);
    reload();
  };

  useEffect(() => {
    document.title = 'Failed emails · LLM Gateway';
  }, []);

  return (
    <>
      <PageHeader
        title="Failed emails"
        description="Emails that could not be delivered after every retry, e.g. a rejected address or a mail server that stayed down."
        actions={<Button onClick={reload}>Refresh</Button>}
      />
      {message && (
        <Notice kind="success" onDismiss={() => setMessage(null)}>
          {message}
        </Notice>
      )}
      <Card>
        {emails.status === 'loading' && !emails.data && <Loading label="Loading failed emails…" />}
        {emails.status === 'error' &&
          (isUnavailable(emails.error) ? (
            <EmptyState title="The email service is not reachable">
              Failed emails cannot be listed right now. Retry in a moment.
            </EmptyState>
          ) : (
            <Notice kind="error" title="Failed emails could not be loaded">
              {emails.error instanceof Error ? emails.error.message : String(emails.error)}
            </Notice>
          ))}
        {emails.data && emails.data.items.length === 0 && (
          <EmptyState title="No failed emails">
            Every email so far was delivered or is still being retried.
          </EmptyState>
        )}
        {emails.data && emails.data.items.length > 0 && (
          <>
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">Failed emails</caption>
                <thead>
                  <tr>
                    <th scope="col">Recipient</th>
                    <th scope="col">Email</th>
                    <th scope="col">Reason</th>
                    <th scope="col" className="num">
                      Tries
                    </th>
                    <th scope="col">Failed at</th>
                    {canRetry && (
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {emails.data.items.map((job) => (
                    <Fragment key={job.job_id}>
                      <tr>
                        <td className="strong">{job.to ?? '—'}</td>
                        <td>{job.template ? (TEMPLATE_LABELS[job.template] ?? job.template) : 'Unknown'}</td>
                        <td className="wrap reason">{job.failed_reason ?? '—'}</td>
                        <td className="num">{job.attempts_made}</td>
                        <td>{formatDate(job.failed_at ?? job.created_at)}</td>
                        {canRetry && (
                          <td className="actions">
                            {editing !== job.job_id && (
                              <RetryButtons
                                job={job}
                                onRetried={retried}
                                onChangeAddress={() => setEditing(job.job_id)}
                              />
                            )}
                          </td>
                        )}
                      </tr>
                      {canRetry && editing === job.job_id && (
                        <ChangeAddressRow
                          job={job}
                          columns={columns}
                          onRetried={retried}
                          onCancel={() => setEditing(null)}
                        />
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              page={emails.data.page}
              totalPages={emails.data.totalPages}
              total={emails.data.total}
              noun={emails.data.total === 1 ? 'failed email' : 'failed emails'}
              onPage={setPage}
            />
          </>
        )}
      </Card>
    </>
  );
}
