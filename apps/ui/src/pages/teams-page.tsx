import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api/endpoints';
import { Badge, Button, Card, EmptyState, Loading, Notice, PageHeader, TextField } from '../components/ui';
import { formatBudget, formatCount, formatModels, formatUsd, parseMoney } from '../lib/format';
import { isFullAdmin, type Me } from '../lib/session';
import { useAsync } from '../lib/use-async';

function NewTeamForm({ onCreated, onCancel }: { onCreated: (alias: string) => void; onCancel: () => void }) {
  const [alias, setAlias] = useState('');
  const [budget, setBudget] = useState('');
  const [errors, setErrors] = useState<{ alias?: string; budget?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const money = parseMoney(budget);
    const next: typeof errors = {};
    if (!alias.trim()) next.alias = 'Give the team a name.';
    if (!money.ok) next.budget = money.error;
    setErrors(next);
    if (next.alias || !money.ok) return;
    setBusy(true);
    try {
      await api.createTeam({ team_alias: alias.trim(), max_budget: money.value });
      onCreated(alias.trim());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title="New team"
      description="Teams share a budget and a model list; add members with the API (/team/member_add)."
    >
      {error && (
        <Notice kind="error" title="The team was not created">
          {error}
        </Notice>
      )}
      <form className="form form-grid" onSubmit={submit} noValidate>
        <TextField
          label="Name"
          name="team_alias"
          value={alias}
          onChange={(e) => setAlias(e.target.value)}
          maxLength={256}
          error={errors.alias}
          autoFocus
        />
        <TextField
          label="Budget (USD)"
          name="max_budget"
          inputMode="decimal"
          value={budget}
          onChange={(e) => setBudget(e.target.value)}
          placeholder="No limit"
          error={errors.budget}
        />
        <div className="form-actions span-2">
          <Button type="submit" variant="primary" busy={busy}>
            Create team
          </Button>
          <Button onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}

export function TeamsPage({ me }: { me: Me }) {
  const [teams, reload] = useAsync(() => api.listTeams(), []);
  const [creating, setCreating] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const canEdit = isFullAdmin(me.role);

  useEffect(() => {
    document.title = 'Teams · LLM Gateway';
  }, []);

  const rows = teams.data ?? [];
  return (
    <>
      <PageHeader
        title="Teams"
        description="Groups of users with a shared budget, model list and rate limits."
        actions={
          canEdit && !creating ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New team
            </Button>
          ) : null
        }
      />
      {creating && (
        <NewTeamForm
          onCancel={() => setCreating(false)}
          onCreated={(alias) => {
            setCreating(false);
            setMessage(`Team ${alias} was created.`);
            reload();
          }}
        />
      )}
      {message && (
        <Notice kind="success" onDismiss={() => setMessage(null)}>
          {message}
        </Notice>
      )}
      <Card>
        {teams.status === 'loading' && !teams.data && <Loading label="Loading teams…" />}
        {teams.status === 'error' && (
          <Notice kind="error" title="Teams could not be loaded">
            {teams.error instanceof Error ? teams.error.message : String(teams.error)}
          </Notice>
        )}
        {teams.data && rows.length === 0 && (
          <EmptyState title="No teams yet">Create a team to share a budget between users.</EmptyState>
        )}
        {rows.length > 0 && (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Teams</caption>
              <thead>
                <tr>
                  <th scope="col">Team</th>
                  <th scope="col" className="num">
                    Members
                  </th>
                  <th scope="col">Models</th>
                  <th scope="col" className="num">
                    Spend
                  </th>
                  <th scope="col" className="num">
                    Budget
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => (
                  <tr key={t.team_id}>
                    <td>
                      <span className="strong">{t.team_alias ?? <span className="muted">Unnamed</span>}</span>
                      <span className="sub mono-small">{t.team_id}</span>
                    </td>
                    <td className="num">{formatCount(t.members_with_roles?.length ?? 0)}</td>
                    <td className="wrap">{formatModels(t.models)}</td>
                    <td className="num">{formatUsd(t.spend)}</td>
                    <td className="num">{formatBudget(t.max_budget)}</td>
                    <td>
                      {t.blocked ? <Badge tone="red">Blocked</Badge> : <Badge tone="green">Active</Badge>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
