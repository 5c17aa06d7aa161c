import type { ReactNode } from 'react';

/** The centered card of the public pages (login, onboarding). */
export function AuthLayout({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand brand-dark">
          <span className="brand-mark" aria-hidden="true">
            LG
          </span>
          <span className="brand-name">LLM Gateway</span>
        </div>
        <h1>{title}</h1>
        {subtitle && <p className="auth-subtitle">{subtitle}</p>}
        {children}
      </div>
      <p className="auth-footer">OpenAI-compatible gateway · virtual keys, budgets and usage</p>
    </main>
  );
}
