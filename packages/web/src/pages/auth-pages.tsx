import { useState, type FormEvent, type ReactNode } from 'react';
import { Logo } from '../components/logo.js';
import { api, humanError, LoftApiError, refreshMe } from '../lib/api.js';
import { navigate, safeNext, useLocation } from '../lib/router.js';
import { unwrap } from '@loft/sdk';

function AuthCard(props: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <div className="auth">
      <div className="auth-card">
        <div className="auth-brand">
          <Logo size={40} />
          <span>Loft</span>
        </div>
        <h1>{props.title}</h1>
        <p className="muted">{props.subtitle}</p>
        {props.children}
      </div>
    </div>
  );
}

function Field(props: {
  label: string;
  name: string;
  type?: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  hint?: string;
  autoComplete: string;
  autoFocus?: boolean;
}) {
  const errId = `${props.name}-error`;
  const hintId = `${props.name}-hint`;
  const described = [props.error ? errId : '', props.hint ? hintId : ''].filter(Boolean).join(' ');
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.autoComplete}
        autoFocus={props.autoFocus}
        required
        aria-invalid={props.error ? true : undefined}
        aria-describedby={described || undefined}
        spellCheck={false}
        autoCapitalize="off"
      />
      {props.hint && !props.error && (
        <span className="muted small" id={hintId}>
          {props.hint}
        </span>
      )}
      {props.error && (
        <span className="field-error" id={errId}>
          {props.error}
        </span>
      )}
    </label>
  );
}

function Link(props: { href: string; children: ReactNode }) {
  return (
    <a
      href={props.href}
      onClick={(e) => {
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

async function signIn(login: string, password: string, remember: boolean): Promise<void> {
  await unwrap(api.POST('/api/auth/login', { body: { login, password, remember } }));
  await refreshMe();
}

export function SignInPage() {
  const { search } = useLocation();
  const next = safeNext(search.get('next'));
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(true);
  const [error, setError] = useState<string | null>(
    search.get('expired') ? 'Your session has expired. Sign in again to continue.' : null,
  );
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(login.trim(), password, remember);
      navigate(next, { replace: true });
    } catch (err) {
      setError(
        err instanceof LoftApiError && err.code === 'invalid_credentials'
          ? 'That username or password is not right.'
          : humanError(err),
      );
      setBusy(false);
    }
  };

  const signupHref = search.get('next') ? `/signup?next=${encodeURIComponent(next)}` : '/signup';
  return (
    <AuthCard title="Sign in" subtitle="Welcome back. Your files are waiting.">
      <form onSubmit={submit} className="stack" noValidate>
        {error && (
          <p className="alert error" role="alert">
            {error}
          </p>
        )}
        <Field
          label="Username or email"
          name="login"
          value={login}
          onChange={setLogin}
          autoComplete="username"
          autoFocus
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
        />
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
          <span>Stay signed in</span>
        </label>
        <button type="submit" className="button primary block" disabled={busy || !login || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth-switch">
        New to Loft? <Link href={signupHref}>Create an account</Link>
      </p>
    </AuthCard>
  );
}

export function SignUpPage() {
  const { search } = useLocation();
  const next = safeNext(search.get('next'));
  const [form, setForm] = useState({ username: '', email: '', password: '' });
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (v: string) => {
    setForm({ ...form, [k]: v });
    setFields({ ...fields, [k]: '' });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await unwrap(
        api.POST('/api/auth/register', {
          body: { username: form.username.trim(), email: form.email.trim(), password: form.password },
        }),
      );
      await signIn(form.username.trim(), form.password, true);
      navigate(next, { replace: true });
    } catch (err) {
      const f = err instanceof LoftApiError ? err.fields : {};
      if (Object.keys(f).length) setFields(f);
      else setError(humanError(err));
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Create your account" subtitle="Your own cloud drive, on your own server.">
      <form onSubmit={submit} className="stack" noValidate>
        {error && (
          <p className="alert error" role="alert">
            {error}
          </p>
        )}
        <Field
          label="Username"
          name="username"
          value={form.username}
          onChange={set('username')}
          error={fields.username}
          hint="Letters, digits, dots, dashes and underscores."
          autoComplete="username"
          autoFocus
        />
        <Field
          label="Email"
          name="email"
          type="email"
          value={form.email}
          onChange={set('email')}
          error={fields.email}
          autoComplete="email"
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={form.password}
          onChange={set('password')}
          error={fields.password}
          hint="At least 8 characters. A few random words make a strong one."
          autoComplete="new-password"
        />
        <button type="submit" className="button primary block" disabled={busy}>
          {busy ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account?{' '}
        <Link href={search.get('next') ? `/signin?next=${encodeURIComponent(next)}` : '/signin'}>
          Sign in
        </Link>
      </p>
    </AuthCard>
  );
}
