import { type FormEvent, useEffect, useId, useState } from 'react';
import {
  api,
  asRole,
  PROXY_ADMIN_ID,
  ROLE_DESCRIPTIONS,
  ROLE_LABELS,
  ROLES,
  type Role,
} from '../api/endpoints';
import { ConfirmButton } from '../components/confirm-button';
import { CopyButton } from '../components/copy-button';
import {
  Badge,
  Button,
  Card,
  CheckboxField,
  EmptyState,
  Loading,
  Notice,
  PageHeader,
  Pager,
  SelectField,
  TextField,
} from '../components/ui';
import { EMAIL_PATTERN, formatBudget, formatCount, formatDay, formatUsd } from '../lib/format';
import { href } from '../lib/router';
import { isFullAdmin, type Me } from '../lib/session';
import { useAsync } from '../lib/use-async';

const ROLE_TONE: Record<Role, 'blue' | 'neutral' | 'green' | 'amber'> = {
  proxy_admin: 'blue',
  proxy_admin_viewer: 'amber',
  internal_user: 'green',
  internal_user_viewer: 'neutral',
};

function NewUserForm({
  onCreated,
  onCancel,
}: {
  onCreated: (email: string, invited: boolean) => void;
  onCancel: () => void;
}) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('internal_user');
  const [invite, setInvite] = useState(true);
  const [emailError, setEmailError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const value = email.trim();
    if (!EMAIL_PATTERN.test(value)) {
      setEmailError('Enter an email address, e.g. ada@example.com');
      return;
    }
    setEmailError(null);
    setBusy(true);
    try {
      await api.createUser({ user_email: value, user_role: role, send_invite_email: invite });
      onCreated(value, invite);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="New user" description="The person gets an email with a link to set their password.">
      {error && (
        <Notice kind="error" title="The user was not created">
          {error}
        </Notice>
      )}
      <form className="form form-grid" onSubmit={submit} noValidate>
        <TextField
          label="Email"
          name="user_email"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          maxLength={254}
          error={emailError}
          autoFocus
        />
        <SelectField
          label="Role"
          name="user_role"
          value={role}
          onChange={(e) => setRole(asRole(e.target.value))}
          hint={ROLE_DESCRIPTIONS[role]}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </SelectField>
        <div className="span-2">
          <CheckboxField
            label="Send an invitation email"
            name="send_invite_email"
            checked={invite}
            onChange={(e) => setInvite(e.target.checked)}
            hint="The link works once and expires after 7 days."
          />
        </div>
        <div className="form-actions span-2">
          <Button type="submit" variant="primary" busy={busy}>
            {invite ? 'Create and invite' : 'Create user'}
          </Button>
          <Button onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}

function InvitationLink({ email, link, onDone }: { email: string; link: string; onDone: () => void }) {
  const inputId = useId();
  return (
    <Card className="card-highlight" title="Invitation link">
      <p className="muted">
        An invitation email to <strong>{email}</strong> is on its way. You can also share this link yourself;
        it works once and expires in 7 days.
      </p>
      <div className="secret-row">
        <label htmlFor={inputId} className="sr-only">
          Invitation link for {email}
        </label>
        <input
          id={inputId}
          className="secret"
          readOnly
          value={link}
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton value={link} inputId={inputId} />
      </div>
      <div className="form-actions">
        <Button onClick={onDone}>Done</Button>
      </div>
    </Card>
  );
}

export function UsersPage({ me }: { me: Me }) {
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [users, reload] = useAsync(() => api.listUsers(page, query), [page, query]);
  const [creating, setCreating] = useState(false);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [invitation, setInvitation] = useState<{ email: string; link: string } | null>(null);
  const canEdit = isFullAdmin(me.role);

  useEffect(() => {
    document.title = 'Users · LLM Gateway';
  }, []);

  const invite = async (userId: string, email: string) => {
    setMessage(null);
    try {
      const inv = await api.newInvitation(userId);
      setInvitation({
        email,
        link: `${window.location.origin}${href('/onboarding')}?id=${encodeURIComponent(inv.id)}`,
      });
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };

  const remove = async (userId: string, label: string) => {
    setMessage(null);
    try {
      await api.deleteUser(userId);
      setMessage({ kind: 'success', text: `${label} was deleted, with their keys.` });
      reload();
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <>
      <PageHeader
        title="Users"
        description="People who can sign in to the console and create keys."
        actions={
          canEdit && !creating ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New user
            </Button>
          ) : null
        }
      />
      {creating && (
        <NewUserForm
          onCancel={() => setCreating(false)}
          onCreated={(email, invited) => {
            setCreating(false);
            setMessage({
              kind: 'success',
              text: invited
                ? `${email} was created. The invitation email is on its way.`
                : `${email} was created. Send them an invitation when they should sign in.`,
            });
            setPage(1);
            reload();
          }}
        />
      )}
      {invitation && (
        <InvitationLink email={invitation.email} link={invitation.link} onDone={() => setInvitation(null)} />
      )}
      {message && (
        <Notice kind={message.kind} onDismiss={() => setMessage(null)}>
          {message.text}
        </Notice>
      )}
      <Card>
        <form
          className="toolbar"
          aria-label="Search users"
          onSubmit={(e) => {
            e.preventDefault();
            setPage(1);
            setQuery(search.trim());
          }}
        >
          <TextField
            label="Search by email"
            name="search"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="ada@"
            className="toolbar-field"
          />
          <Button type="submit">Search</Button>
        </form>
        {users.status === 'loading' && !users.data && <Loading label="Loading users…" />}
        {users.status === 'error' && (
          <Notice kind="error" title="Users could not be loaded">
            {users.error instanceof Error ? users.error.message : String(users.error)}
          </Notice>
        )}
        {users.data && users.data.items.length === 0 && (
          <EmptyState title={query ? 'No user matches' : 'No users yet'}>
            {query ? `Nobody's email contains “${query}”.` : 'Create a user and send them an invitation.'}
          </EmptyState>
        )}
        {users.data && users.data.items.length > 0 && (
          <>
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">Users</caption>
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col" className="num">
                      Keys
                    </th>
                    <th scope="col" className="num">
                      Spend
                    </th>
                    <th scope="col" className="num">
                      Budget
                    </th>
                    <th scope="col">Created</th>
                    {canEdit && (
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {users.data.items.map((u) => {
                    const role = asRole(u.user_role);
                    const label = u.user_email ?? u.user_alias ?? u.user_id;
                    // The master key's and UI_USERNAME's user: deleting it would orphan the admin's keys.
                    const builtInAdmin = u.user_id === PROXY_ADMIN_ID;
                    return (
                      <tr key={u.user_id}>
                        <td>
                          <span className="strong">
                            {u.user_email ??
                              (builtInAdmin ? 'Gateway admin' : <span className="muted">No email</span>)}
                          </span>
                          <span className="sub mono-small">{u.user_id}</span>
                        </td>
                        <td>
                          <Badge tone={ROLE_TONE[role]}>{ROLE_LABELS[role]}</Badge>
                        </td>
                        <td className="num">{formatCount(u.key_count ?? null)}</td>
                        <td className="num">{formatUsd(u.spend)}</td>
                        <td className="num">{formatBudget(u.max_budget)}</td>
                        <td>{formatDay(u.created_at)}</td>
                        {canEdit && (
                          <td className="actions">
                            {u.user_email && (
                              <Button
                                variant="ghost"
                                className="btn-small"
                                onClick={() => invite(u.user_id, u.user_email ?? '')}
                                aria-label={`New invitation for ${label}`}
                              >
                                Invite
                              </Button>
                            )}
                            {!builtInAdmin && (
                              <ConfirmButton
                                label="Delete"
                                confirmLabel="Delete user"
                                describedBy={label}
                                onConfirm={() => remove(u.user_id, label)}
                              />
                            )}
                          </td>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <Pager
              page={users.data.page}
              totalPages={users.data.totalPages}
              total={users.data.total}
              noun={users.data.total === 1 ? 'user' : 'users'}
              onPage={setPage}
            />
          </>
        )}
      </Card>
    </>
  );
}
