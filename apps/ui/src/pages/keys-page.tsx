import { type FormEvent, useEffect, useId, useState } from 'react';
import { api, type GeneratedKey, type KeyRow, PROXY_ADMIN_ID } from '../api/endpoints';
import { ConfirmButton } from '../components/confirm-button';
import { CopyButton } from '../components/copy-button';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  Loading,
  Notice,
  PageHeader,
  Pager,
  SelectField,
  TextField,
} from '../components/ui';
import { formatBudget, formatDay, formatModels, formatUsd, parseList, parseMoney } from '../lib/format';
import { isAdmin, type Me, mayManageKeys } from '../lib/session';
import { useAsync } from '../lib/use-async';

const DURATIONS = [
  { value: '', label: 'Never' },
  { value: '7d', label: 'In 7 days' },
  { value: '30d', label: 'In 30 days' },
  { value: '90d', label: 'In 90 days' },
  { value: '365d', label: 'In 1 year' },
];

function isExpired(expires: string | null): boolean {
  return expires !== null && new Date(expires).getTime() <= Date.now();
}

/** The raw key, shown once after creation; it lives in this component's state only, never in storage. */
function NewKeyPanel({ created, onDone }: { created: GeneratedKey; onDone: () => void }) {
  const inputId = useId();
  return (
    <Card className="card-highlight" title="Your new key">
      <Notice kind="warning" title="Copy this key now">
        It is shown only once. The gateway stores only a hash of it, so nobody can show it to you again.
      </Notice>
      <div className="secret-row">
        <label htmlFor={inputId} className="sr-only">
          New API key
        </label>
        <input
          id={inputId}
          className="secret"
          readOnly
          value={created.key}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          data-testid="new-key"
        />
        <CopyButton value={created.key} inputId={inputId} />
      </div>
      <p className="muted">
        Use it as a bearer token: <code>Authorization: Bearer {created.key_name ?? 'sk-…'}</code> with any
        OpenAI-compatible client pointed at <code>{window.location.origin}/v1</code>.
      </p>
      <div className="form-actions">
        <Button onClick={onDone}>I have copied it</Button>
      </div>
    </Card>
  );
}

function CreateKeyForm({
  me,
  onCreated,
  onCancel,
}: {
  me: Me;
  onCreated: (k: GeneratedKey) => void;
  onCancel: () => void;
}) {
  const [alias, setAlias] = useState('');
  const [models, setModels] = useState('');
  const [budget, setBudget] = useState('');
  const [duration, setDuration] = useState('');
  const [budgetError, setBudgetError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const money = parseMoney(budget);
    setBudgetError(money.ok ? null : money.error);
    if (!money.ok) return;
    setBusy(true);
    try {
      const created = await api.generateKey({
        key_alias: alias.trim() || undefined,
        // Personal keys belong to their creator (LiteLLM would leave user_id null otherwise).
        user_id: me.userId ?? undefined,
        models: parseList(models),
        max_budget: money.value,
        duration: duration || undefined,
      });
      onCreated(created);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title="Create a key"
      description="Keys authenticate calls to /v1/chat/completions and the other OpenAI routes."
    >
      {error && (
        <Notice kind="error" title="The key was not created">
          {error}
        </Notice>
      )}
      <form className="form form-grid" onSubmit={submit} noValidate>
        <TextField
          label="Name"
          name="key_alias"
          value={alias}
          onChange={(e) => setAlias(e.target.value)}
          maxLength={256}
          placeholder="e.g. laptop, ci-pipeline"
          hint="Optional. Must be unique; helps you tell keys apart."
          autoFocus
        />
        <TextField
          label="Models"
          name="models"
          value={models}
          onChange={(e) => setModels(e.target.value)}
          placeholder="gpt-4o, gpt-4o-mini"
          hint="Optional, comma-separated. Empty: every model you may use."
        />
        <TextField
          label="Budget (USD)"
          name="max_budget"
          inputMode="decimal"
          value={budget}
          onChange={(e) => setBudget(e.target.value)}
          placeholder="No limit"
          hint="Optional. Calls stop once the key has spent this much."
          error={budgetError}
        />
        <SelectField
          label="Expires"
          name="duration"
          value={duration}
          onChange={(e) => setDuration(e.target.value)}
        >
          {DURATIONS.map((d) => (
            <option key={d.value} value={d.value}>
              {d.label}
            </option>
          ))}
        </SelectField>
        <div className="form-actions span-2">
          <Button type="submit" variant="primary" busy={busy}>
            Create key
          </Button>
          <Button onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}

export function KeysPage({ me }: { me: Me }) {
  const [page, setPage] = useState(1);
  const [keys, reload] = useAsync(() => api.listKeys(page), [page]);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<GeneratedKey | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const canManage = mayManageKeys(me.role);
  const admin = isAdmin(me.role);
  // Admins see every key: name its owner by email rather than by user id.
  const ownerIds = admin
    ? [...new Set((keys.data?.items ?? []).map((k) => k.user_id).filter((id): id is string => Boolean(id)))]
    : [];
  const [owners] = useAsync(
    () =>
      ownerIds.length > 0 ? api.userEmails(ownerIds) : Promise.resolve(new Map<string, string | null>()),
    [ownerIds.join(',')],
  );
  const ownerOf = (k: KeyRow) => {
    if (k.user_id === PROXY_ADMIN_ID) return 'Gateway admin';
    if (k.user_id) return owners.data?.get(k.user_id) ?? k.user_id;
    return k.team_id ? `Team ${k.team_id}` : '—';
  };

  useEffect(() => {
    document.title = 'API keys · LLM Gateway';
  }, []);

  const remove = async (token: string, name: string) => {
    setMessage(null);
    try {
      await api.deleteKey(token);
      setMessage({ kind: 'success', text: `Key ${name} was deleted. It stops working within a second.` });
      reload();
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <>
      <PageHeader
        title="API keys"
        description={
          admin
            ? 'Every virtual key of the gateway. Each key has its own budget, model list and expiry.'
            : 'Your virtual keys for the OpenAI-compatible API. Each key has its own budget, model list and expiry.'
        }
        actions={
          canManage && !creating && !created ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              Create key
            </Button>
          ) : null
        }
      />
      {!canManage && (
        <Notice kind="info">
          Your role can see keys but not create or delete them. Ask an administrator.
        </Notice>
      )}
      {created && (
        <NewKeyPanel
          created={created}
          onDone={() => {
            setCreated(null);
          }}
        />
      )}
      {creating && (
        <CreateKeyForm
          me={me}
          onCancel={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
            setMessage(null);
            setPage(1);
            reload();
          }}
        />
      )}
      {message && (
        <Notice kind={message.kind} onDismiss={() => setMessage(null)}>
          {message.text}
        </Notice>
      )}
      <Card>
        {keys.status === 'loading' && !keys.data && <Loading label="Loading keys…" />}
        {keys.status === 'error' && (
          <Notice kind="error" title="Keys could not be loaded">
            {keys.error instanceof Error ? keys.error.message : String(keys.error)}
          </Notice>
        )}
        {keys.data && keys.data.items.length === 0 && (
          <EmptyState title="No keys yet">
            {canManage
              ? 'Create a key to start calling models through the gateway.'
              : 'No keys belong to you yet.'}
          </EmptyState>
        )}
        {keys.data && keys.data.items.length > 0 && (
          <>
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">API keys</caption>
                <thead>
                  <tr>
                    <th scope="col">{admin ? 'Name and owner' : 'Name'}</th>
                    <th scope="col">Key</th>
                    <th scope="col">Models</th>
                    <th scope="col" className="num">
                      Spend
                    </th>
                    <th scope="col" className="num">
                      Budget
                    </th>
                    <th scope="col">Expires</th>
                    <th scope="col">Created</th>
                    {canManage && (
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {keys.data.items.map((k) => {
                    const name = k.key_alias ?? k.key_name ?? k.token.slice(0, 8);
                    return (
                      <tr key={k.token}>
                        <td>
                          <span className="strong">
                            {k.key_alias ?? <span className="muted">Unnamed</span>}
                          </span>
                          {k.blocked && (
                            <>
                              {' '}
                              <Badge tone="red">Blocked</Badge>
                            </>
                          )}
                          {isExpired(k.expires) && (
                            <>
                              {' '}
                              <Badge tone="amber">Expired</Badge>
                            </>
                          )}
                          {admin && <span className="sub muted owner">{ownerOf(k)}</span>}
                        </td>
                        <td>
                          <code>{k.key_name ?? '—'}</code>
                        </td>
                        <td className="wrap">{formatModels(k.models)}</td>
                        <td className="num">{formatUsd(k.spend)}</td>
                        <td className="num">{formatBudget(k.max_budget)}</td>
                        <td>{k.expires ? formatDay(k.expires) : 'Never'}</td>
                        <td>{formatDay(k.created_at)}</td>
                        {canManage && (
                          <td className="actions">
                            <ConfirmButton
                              label="Delete"
                              confirmLabel="Delete key"
                              describedBy={name}
                              onConfirm={() => remove(k.token, name)}
                            />
                          </td>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <Pager
              page={keys.data.page}
              totalPages={keys.data.totalPages}
              total={keys.data.total}
              noun={keys.data.total === 1 ? 'key' : 'keys'}
              onPage={setPage}
            />
          </>
        )}
      </Card>
    </>
  );
}
