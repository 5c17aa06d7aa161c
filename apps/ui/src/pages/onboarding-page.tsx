import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api/endpoints';
import { ApiError } from '../api/errors';
import { AuthLayout } from '../components/auth-layout';
import { Button, Link, Loading, Notice, TextField } from '../components/ui';
import { formatDate } from '../lib/format';
import { invitationIdOf, type LinkProblem, linkProblem, PASSWORD_MIN_LENGTH } from '../lib/invitation';
import { navigate } from '../lib/router';

type Invitation = { id: string; userId: string; email: string | null; expiresAt: string | null };

type State =
  | { status: 'checking' }
  | { status: 'ready'; invitation: Invitation }
  | { status: 'invalid'; problem: LinkProblem; message: string };

const PROBLEM_TEXT: Record<LinkProblem, { title: string; text: string }> = {
  missing: {
    title: 'This link is incomplete',
    text: 'The invitation link has no id. Open the link from your invitation email again, or copy it whole into the address bar.',
  },
  unknown: {
    title: 'This invitation link is not valid',
    text: 'It may have been mistyped, or the invitation was withdrawn. Ask your administrator for a new invitation.',
  },
  expired: {
    title: 'This invitation has expired',
    text: 'Invitation links work for 7 days. Ask your administrator to send you a new one.',
  },
  used: {
    title: 'This invitation has already been used',
    text: 'Your account is set up. Sign in with your email and the password you chose.',
  },
  other: {
    title: 'This invitation cannot be used',
    text: 'Ask your administrator for a new invitation.',
  },
};

export function OnboardingPage({
  search,
  onSignedIn,
}: {
  search: URLSearchParams;
  onSignedIn: () => Promise<void>;
}) {
  // `id` is our link (`/ui/onboarding?id=`); LiteLLM's dashboard builds `?invitation_id=`.
  const id = invitationIdOf(search);
  const [state, setState] = useState<State>(
    id ? { status: 'checking' } : { status: 'invalid', problem: 'missing', message: '' },
  );
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string; confirm?: string }>({});
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Accept invitation · LLM Gateway';
  }, []);

  useEffect(() => {
    if (!id) return;
    let live = true;
    api.invitation(id).then(
      (r) => {
        if (!live) return;
        if (!r.user_id) {
          setState({ status: 'invalid', problem: 'other', message: 'the invitation names no user' });
          return;
        }
        setState({
          status: 'ready',
          invitation: { id, userId: r.user_id, email: r.user_email, expiresAt: r.expires_at ?? null },
        });
      },
      (err: unknown) => {
        if (!live) return;
        const message = err instanceof Error ? err.message : String(err);
        const problem = err instanceof ApiError && err.status === 401 ? linkProblem(message) : 'other';
        setState({ status: 'invalid', problem, message });
      },
    );
    return () => {
      live = false;
    };
  }, [id]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (state.status !== 'ready') return;
    const next: typeof errors = {};
    if (password.length < PASSWORD_MIN_LENGTH)
      next.password = `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
    if (confirm !== password) next.confirm = 'The two passwords are not the same.';
    setErrors(next);
    setSubmitError(null);
    if (next.password || next.confirm) return;
    setBusy(true);
    try {
      await api.claimInvitation(state.invitation.id, state.invitation.userId, password);
      await onSignedIn();
      navigate('/?login=success', { replace: true });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof ApiError && err.status === 401) {
        setState({ status: 'invalid', problem: linkProblem(message), message });
      } else {
        setSubmitError(message);
      }
    } finally {
      setBusy(false);
    }
  };

  if (state.status === 'checking') {
    return (
      <AuthLayout title="Accept your invitation">
        <Loading label="Checking your invitation…" />
      </AuthLayout>
    );
  }

  if (state.status === 'invalid') {
    const text = PROBLEM_TEXT[state.problem];
    return (
      <AuthLayout title="Accept your invitation">
        <Notice kind={state.problem === 'used' ? 'info' : 'error'} title={text.title}>
          <p>{text.text}</p>
          {state.problem === 'other' && state.message && <p className="muted">Details: {state.message}</p>}
        </Notice>
        <p className="auth-links">
          <Link to="/login" className="btn btn-primary btn-block">
            Go to sign in
          </Link>
        </p>
      </AuthLayout>
    );
  }

  const { invitation } = state;
  return (
    <AuthLayout
      title="Set your password"
      subtitle={
        <>
          You were invited to the LLM Gateway
          {invitation.email ? (
            <>
              {' '}
              as <strong>{invitation.email}</strong>
            </>
          ) : null}
          . Choose a password to finish setting up your account.
        </>
      }
    >
      {submitError && (
        <Notice kind="error" title="Could not set your password">
          {submitError}
        </Notice>
      )}
      <form className="form" onSubmit={submit} noValidate>
        {invitation.email && (
          <TextField
            label="Email"
            name="username"
            autoComplete="username"
            value={invitation.email}
            readOnly
          />
        )}
        <TextField
          label="New password"
          name="new-password"
          type="password"
          autoComplete="new-password"
          autoFocus
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint={`At least ${PASSWORD_MIN_LENGTH} characters. A long passphrase is best.`}
          error={errors.password}
        />
        <TextField
          label="Confirm password"
          name="confirm-password"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={errors.confirm}
        />
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          Create account and sign in
        </Button>
        {invitation.expiresAt && (
          <p className="field-hint center">This invitation expires {formatDate(invitation.expiresAt)}.</p>
        )}
      </form>
    </AuthLayout>
  );
}
