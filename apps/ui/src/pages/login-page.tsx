import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api/endpoints';
import { ApiError } from '../api/errors';
import { AuthLayout } from '../components/auth-layout';
import { Button, Notice, TextField } from '../components/ui';
import { followRedirect } from '../lib/router';

export function LoginPage({
  onSignedIn,
  notice,
}: {
  onSignedIn: () => Promise<void>;
  notice?: string | null;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Sign in · LLM Gateway';
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!username.trim() || !password) {
      setError('Enter your email and password.');
      return;
    }
    setBusy(true);
    try {
      const { redirect_url } = await api.login(username.trim(), password);
      setPassword('');
      await onSignedIn();
      followRedirect(redirect_url, '/?login=success');
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) {
        setError('Too many sign-in attempts. Wait a few minutes, then try again.');
      } else if (
        err instanceof ApiError &&
        (err.status === 401 || err.status === 400 || err.status === 422)
      ) {
        setError('Wrong email or password.');
      } else {
        setError(err instanceof Error ? err.message : 'Sign-in failed.');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Sign in"
      subtitle="Use the email and password you set when you accepted your invitation."
    >
      {notice && <Notice kind="success">{notice}</Notice>}
      {error && (
        <Notice kind="error" title="Could not sign in">
          {error}
        </Notice>
      )}
      <form className="form" onSubmit={submit} noValidate>
        <TextField
          label="Email"
          name="username"
          autoComplete="username"
          autoFocus
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          hint="Administrators can use the admin username."
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
