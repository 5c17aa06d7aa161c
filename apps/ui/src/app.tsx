import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { onUnauthorized } from './api/client';
import { api, ROLE_LABELS } from './api/endpoints';
import { ApiError } from './api/errors';
import { Badge, Button, Link, Loading, Notice } from './components/ui';
import { followRedirect, navigate, useLocation } from './lib/router';
import { isAdmin, landingPath, type Me, meFromUserInfo } from './lib/session';
import { EmailsPage } from './pages/emails-page';
import { KeysPage } from './pages/keys-page';
import { LoginPage } from './pages/login-page';
import { OnboardingPage } from './pages/onboarding-page';
import { SpendPage } from './pages/spend-page';
import { TeamsPage } from './pages/teams-page';
import { UsersPage } from './pages/users-page';

type Session =
  | { status: 'checking' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; me: Me }
  | { status: 'error'; message: string };

interface NavItem {
  path: string;
  label: string;
  admin: boolean;
}

const NAV: NavItem[] = [
  { path: '/keys', label: 'API keys', admin: false },
  { path: '/spend', label: 'Usage', admin: false },
  { path: '/users', label: 'Users', admin: true },
  { path: '/teams', label: 'Teams', admin: true },
  { path: '/emails', label: 'Failed emails', admin: true },
];

const PUBLIC_PATHS = new Set(['/login', '/onboarding']);

export function App() {
  const location = useLocation();
  const [session, setSession] = useState<Session>({ status: 'checking' });
  const [flash, setFlash] = useState<{ text: string; path: string } | null>(null);
  const sessionRef = useRef(session);
  sessionRef.current = session;

  /** Who am I (GET /user/info): decides between the console and the login page. */
  const check = useCallback(async () => {
    try {
      const info = await api.whoAmI();
      setSession({ status: 'signed-in', me: meFromUserInfo(info) });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        const wasIn = sessionRef.current.status === 'signed-in';
        setSession({
          status: 'signed-out',
          reason: wasIn ? 'Your session has ended. Sign in again to continue.' : undefined,
        });
      } else {
        setSession({ status: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    }
  }, []);

  useEffect(() => {
    void check();
  }, [check]);
  // Any 401 from a page: re-check the session (a 401 can also be a role denial, which keeps it).
  useEffect(() => onUnauthorized(() => void check()), [check]);

  const isPublic = PUBLIC_PATHS.has(location.path);
  const signedOut = session.status === 'signed-out';
  useEffect(() => {
    if (signedOut && !isPublic) navigate('/login', { replace: true });
  }, [signedOut, isPublic]);

  const role = session.status === 'signed-in' ? session.me.role : null;
  const loginSuccess = location.search.get('login') === 'success';
  useEffect(() => {
    if (location.path !== '/' || role === null) return;
    const landing = landingPath(role);
    if (loginSuccess) setFlash({ text: "You're signed in.", path: landing });
    navigate(landing, { replace: true });
  }, [location.path, role, loginSuccess]);

  const signOut = async () => {
    let redirect: string | null = null;
    try {
      redirect = (await api.logout()).redirect_url;
    } catch {
      // The server session may already be gone; the cookies are cleared either way on the next call.
    }
    setFlash(null);
    setSession({ status: 'signed-out' });
    followRedirect(redirect, '/login');
  };

  if (location.path === '/onboarding') {
    return <OnboardingPage search={location.search} onSignedIn={check} />;
  }
  if (location.path === '/login') {
    if (session.status === 'checking') return <FullPageLoading />;
    if (session.status === 'signed-in') {
      return <AlreadySignedIn me={session.me} onContinue={() => navigate(landingPath(session.me.role))} />;
    }
    return <LoginPage onSignedIn={check} notice={session.status === 'signed-out' ? session.reason : null} />;
  }
  if (session.status === 'checking' || session.status === 'signed-out') return <FullPageLoading />;
  if (session.status === 'error') {
    return (
      <main className="auth">
        <div className="auth-card">
          <Notice kind="error" title="The console could not load">
            {session.message}
          </Notice>
          <Button variant="primary" onClick={() => void check()}>
            Retry
          </Button>
        </div>
      </main>
    );
  }

  const { me } = session;
  return (
    <Shell me={me} path={location.path} onSignOut={signOut}>
      {flash && flash.path === location.path && (
        <Notice kind="success" onDismiss={() => setFlash(null)}>
          {flash.text}
        </Notice>
      )}
      <Page me={me} path={location.path} />
    </Shell>
  );
}

function Page({ me, path }: { me: Me; path: string }) {
  const item = NAV.find((n) => n.path === path);
  if (path === '/') return <Loading />;
  if (!item) {
    return (
      <Notice kind="warning" title="Page not found">
        There is no page at this address. <Link to={landingPath(me.role)}>Go to the start page</Link>.
      </Notice>
    );
  }
  if (item.admin && !isAdmin(me.role)) {
    return (
      <Notice kind="warning" title="Administrators only">
        Your role ({ROLE_LABELS[me.role]}) cannot open this page.
      </Notice>
    );
  }
  switch (path) {
    case '/keys':
      return <KeysPage me={me} />;
    case '/spend':
      return <SpendPage me={me} />;
    case '/users':
      return <UsersPage me={me} />;
    case '/teams':
      return <TeamsPage me={me} />;
    case '/emails':
      return <EmailsPage me={me} />;
    default:
      return null;
  }
}

function Shell({
  me,
  path,
  onSignOut,
  children,
}: {
  me: Me;
  path: string;
  onSignOut: () => Promise<void>;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const admin = isAdmin(me.role);
  const section = (items: NavItem[], label: string) => (
    <div className="nav-section">
      <p className="nav-heading" id={`nav-${label}`}>
        {label}
      </p>
      <ul aria-labelledby={`nav-${label}`}>
        {items.map((n) => (
          <li key={n.path}>
            <Link to={n.path} className="nav-link" current={n.path === path}>
              {n.label}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-inner">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              LG
            </span>
            <span className="brand-name">LLM Gateway</span>
          </div>
          <nav aria-label="Main">
            {section(
              NAV.filter((n) => !n.admin),
              'Account',
            )}
            {admin &&
              section(
                NAV.filter((n) => n.admin),
                'Administration',
              )}
          </nav>
        </div>
      </aside>
      <div className="main-col">
        <header className="topbar">
          <div className="whoami">
            <span className="whoami-name">{me.email ?? 'Administrator'}</span>
            <Badge tone={admin ? 'blue' : 'neutral'}>{ROLE_LABELS[me.role]}</Badge>
          </div>
          <Button
            variant="ghost"
            busy={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await onSignOut();
              } finally {
                setBusy(false);
              }
            }}
          >
            Sign out
          </Button>
        </header>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

function FullPageLoading() {
  return (
    <main className="auth">
      <Loading />
    </main>
  );
}

function AlreadySignedIn({ me, onContinue }: { me: Me; onContinue: () => void }) {
  return (
    <main className="auth">
      <div className="auth-card">
        <h1>You're signed in</h1>
        <p className="auth-subtitle">
          as <strong>{me.email ?? 'Administrator'}</strong>
        </p>
        <Button variant="primary" className="btn-block" onClick={onContinue}>
          Continue to the console
        </Button>
      </div>
    </main>
  );
}
