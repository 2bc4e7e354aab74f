import type { TokenInfo, User } from '@loft/sdk';
import { Check, Copy, KeyRound, LogOut, Monitor, Smartphone } from 'lucide-react';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { api, call, humanError, LoftApiError } from '../lib/api.js';
import { copyText } from '../lib/clipboard.js';
import { formatDate, formatFullDate, plural } from '../lib/format.js';
import { toast } from '../lib/toasts.js';

/** The id of the token name field: the WebDAV section's "Create a token" button leads there. */
const TOKEN_NAME_ID = 'token-name';

/** Settings: connecting a drive over WebDAV, personal access tokens, and signed-in sessions. */
export function SettingsPage(props: { user: User }) {
  return (
    <div className="page">
      <div className="page-head">
        <h1 className="page-title">Settings</h1>
      </div>
      <div className="settings">
        <DavSection user={props.user} />
        <TokensSection />
        <SessionsSection />
      </div>
    </div>
  );
}

/** A copy button that says what it copies; selects the text instead where copying is not allowed. */
function CopyButton(props: {
  text: string;
  /** "WebDAV address" → the toast "WebDAV address copied." */
  what: string;
  /** The accessible name, starting with the visible "Copy". */
  label: string;
  target: () => HTMLElement | null;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button small"
      aria-label={props.label}
      onClick={async () => {
        const ok = await copyText(props.text, props.target());
        setCopied(ok);
        toast(ok ? `${props.what} copied.` : 'Press Ctrl+C to copy the selected text.');
        if (ok) setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? <Check size={16} aria-hidden="true" /> : <Copy size={16} aria-hidden="true" />} Copy
    </button>
  );
}

/** A read-only value with its label and a copy button. */
function CopyField(props: {
  label: string;
  value: string;
  what: string;
  copyLabel: string;
  describedBy?: string;
  inputRef?: React.Ref<HTMLInputElement>;
  wide?: boolean;
}) {
  const id = useId();
  return (
    <div className={props.wide ? 'field span-all' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      <div className="copy-row">
        <input
          id={id}
          ref={props.inputRef}
          className="link-url"
          readOnly
          value={props.value}
          spellCheck={false}
          aria-describedby={props.describedBy}
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton
          text={props.value}
          what={props.what}
          label={props.copyLabel}
          target={() => document.getElementById(id)}
        />
      </div>
    </div>
  );
}

/** A command or address to type, with a copy button. */
function Snippet(props: { text: string; what: string; copyLabel: string }) {
  const ref = useRef<HTMLElement>(null);
  return (
    <div className="snippet">
      <pre>
        <code ref={ref}>{props.text}</code>
      </pre>
      <CopyButton text={props.text} what={props.what} label={props.copyLabel} target={() => ref.current} />
    </div>
  );
}

function Howto(props: { title: string; children: ReactNode }) {
  return (
    <details className="howto">
      <summary>{props.title}</summary>
      <div className="howto-body">{props.children}</div>
    </details>
  );
}

function DavSection(props: { user: User }) {
  const url = `${location.origin}/dav/`;
  const secure = location.protocol === 'https:';
  const s = secure ? 's' : '';
  const hostPath = `${location.host}/dav/`;
  const rclone = `rclone config create loft webdav url=${url} vendor=owncloud user=${props.user.username} pass=$(rclone obscure TOKEN)`;
  return (
    <section className="settings-section" aria-labelledby="dav-title">
      <h2 id="dav-title">Connect a drive (WebDAV)</h2>
      <p className="muted">
        Open your Loft files in your computer’s file manager, or in any app that speaks WebDAV, like a network
        drive.
      </p>
      <div className="settings-grid">
        <CopyField
          label="WebDAV address"
          value={url}
          wide
          what="WebDAV address"
          copyLabel="Copy the WebDAV address"
        />
        <CopyField
          label="Username"
          value={props.user.username}
          what="Username"
          copyLabel="Copy the username"
        />
        <div className="field">
          <span>Password</span>
          <p className="small">
            An access token, not your account password.{' '}
            <button
              type="button"
              className="text-button"
              onClick={() => document.getElementById(TOKEN_NAME_ID)?.focus()}
            >
              Create a token
            </button>
          </p>
        </div>
      </div>
      <h3 className="section-title">How to connect</h3>
      <div className="howtos">
        <Howto title="Windows">
          <ol>
            <li>
              In File Explorer, right-click <strong>This PC</strong> and choose{' '}
              <strong>Map network drive…</strong>
            </li>
            <li>
              Pick a drive letter, paste the address into <strong>Folder</strong> and tick{' '}
              <strong>Connect using different credentials</strong>.
            </li>
            <li>Click Finish, then sign in with your username and a token.</li>
          </ol>
          <p className="note">
            Windows sends passwords to WebDAV servers only over HTTPS.{' '}
            {secure ? 'For a server on plain HTTP' : 'This server is on plain HTTP: to connect anyway'}, set{' '}
            <code>BasicAuthLevel</code> to <code>2</code> under{' '}
            <code>HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\WebClient\Parameters</code> in the
            Registry Editor and restart the WebClient service. Files over about 50 MB also need{' '}
            <code>FileSizeLimitInBytes</code> raised there.
          </p>
        </Howto>
        <Howto title="macOS (Finder)">
          <ol>
            <li>
              In Finder, choose <strong>Go → Connect to Server…</strong> (⌘K).
            </li>
            <li>Enter the address and click Connect.</li>
            <li>
              Choose <strong>Registered User</strong>, then enter your username and a token. The drive appears
              under Locations.
            </li>
          </ol>
        </Howto>
        <Howto title="Linux file managers">
          <p>
            In GNOME Files, Nemo, Caja or Thunar, open <strong>Other Locations</strong> (or press Ctrl+L) and
            enter:
          </p>
          <Snippet
            text={`dav${s}://${hostPath}`}
            what="Address"
            copyLabel="Copy the address for GNOME Files"
          />
          <p>In KDE Dolphin, enter:</p>
          <Snippet
            text={`webdav${s}://${hostPath}`}
            what="Address"
            copyLabel="Copy the address for Dolphin"
          />
          <p>Sign in with your username and a token when asked.</p>
        </Howto>
        <Howto title="rclone (any system)">
          <p>
            Create a remote named <code>loft</code>, with a token in place of <code>TOKEN</code>:
          </p>
          <Snippet text={rclone} what="Command" copyLabel="Copy the rclone command" />
          <p>
            Then <code>rclone ls loft:</code> lists your files, <code>rclone sync ~/Photos loft:Photos</code>{' '}
            copies a folder up, and <code>rclone mount loft: ~/Loft</code> mounts the drive.
          </p>
        </Howto>
      </div>
    </section>
  );
}

/**
 * The server stamps a token as used when it is made, then at most once a minute: a use later than
 * the creation is a real one.
 */
const usedSince = (t: TokenInfo) => t.lastUsedAt !== null && t.lastUsedAt > t.createdAt;

function TokensSection() {
  const [tokens, setTokens] = useState<TokenInfo[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ id: string; name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  const secretInput = useRef<HTMLInputElement>(null);
  const warningId = useId();

  const load = useCallback(() => {
    call(api.GET('/api/auth/tokens'))
      .then((r) => {
        setTokens(r.items);
        setListError(null);
      })
      .catch((e) => setListError(humanError(e)));
  }, []);
  useEffect(load, [load]);

  // The secret gets focus as it appears, so the warning next to it is read out too.
  useEffect(() => {
    if (created) secretInput.current?.focus();
  }, [created]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setNameError('Enter a name, like “Laptop drive”.');
    setBusy(true);
    try {
      const t = await call(api.POST('/api/auth/tokens', { body: { name: trimmed } }));
      setCreated(t);
      setName('');
      setNameError(null);
      load();
    } catch (err) {
      setNameError(humanError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="tokens-title">
      <h2 id="tokens-title">Access tokens</h2>
      <p className="muted">
        A token lets an app use your account without your password: a drive connected over WebDAV, the{' '}
        <code>loft</code> command, a script. It works until you revoke it.
      </p>
      <form className="field token-form" onSubmit={create} noValidate>
        <label htmlFor={TOKEN_NAME_ID}>Token name</label>
        <div className="token-form-row">
          <input
            id={TOKEN_NAME_ID}
            value={name}
            maxLength={100}
            placeholder="e.g. Laptop drive"
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => {
              setName(e.target.value);
              setNameError(null);
            }}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'token-name-error' : undefined}
          />
          <button type="submit" className="button primary" disabled={busy}>
            <KeyRound size={16} aria-hidden="true" /> Create token
          </button>
        </div>
        {nameError && (
          <span className="field-error" id="token-name-error" role="alert">
            {nameError}
          </span>
        )}
      </form>
      {created && (
        <div className="secret-box">
          <p>
            <strong>Token “{created.name}” created.</strong>
          </p>
          <CopyField
            label="New token"
            value={created.token}
            what="Token"
            copyLabel="Copy the new token"
            inputRef={secretInput}
            describedBy={warningId}
          />
          <p id={warningId} className="note">
            Copy it now and keep it somewhere safe: it won’t be shown again. Loft keeps only a fingerprint of
            it.
          </p>
          <div className="row end">
            <button type="button" className="button" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {listError && (
        <p className="alert error" role="alert">
          {listError}
        </p>
      )}
      {tokens === null && !listError && <p className="muted">Loading…</p>}
      {tokens?.length === 0 && <p className="muted">No tokens yet.</p>}
      {tokens && tokens.length > 0 && (
        <ul className="settings-list" aria-label="Access tokens">
          {tokens.map((t) => (
            <li key={t.id} className="settings-row" data-name={t.name}>
              <KeyRound size={18} aria-hidden="true" className="muted" />
              <div className="grow">
                <div className="name">{t.name}</div>
                <div className="muted small">
                  <span title={formatFullDate(t.createdAt)}>Created {formatDate(t.createdAt)}</span> ·{' '}
                  {usedSince(t) ? (
                    <span title={formatFullDate(t.lastUsedAt!)}>last used {formatDate(t.lastUsedAt!)}</span>
                  ) : (
                    'not used yet'
                  )}
                </div>
              </div>
              <button
                type="button"
                className="button small danger-ghost"
                aria-label={`Revoke ${t.name}`}
                onClick={() => setRevoking(t)}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          title="Revoke token"
          message={`“${revoking.name}” will stop working at once: drives, scripts and apps using it will be signed out. This cannot be undone.`}
          confirmLabel="Revoke"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            try {
              await call(api.DELETE('/api/auth/tokens/{id}', { params: { path: { id: revoking.id } } }));
              toast(`Token “${revoking.name}” revoked.`);
            } catch (e) {
              // Revoked elsewhere meanwhile: what was asked for is done.
              if (!(e instanceof LoftApiError && e.status === 404)) throw e;
              toast(`Token “${revoking.name}” was already revoked.`);
            }
            if (created?.id === revoking.id) setCreated(null);
            load();
          }}
        />
      )}
    </section>
  );
}

/** "Firefox on Windows" from a User-Agent header; the raw text when it is not a browser's. */
export function describeAgent(ua: string | null): string {
  if (!ua || ua === 'session') return 'Unknown device';
  const browser = /Edg(e|A|iOS)?\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\/|FxiOS\//.test(ua)
        ? 'Firefox'
        : /Chrome\/|Chromium\/|CriOS\//.test(ua)
          ? 'Chrome'
          : /Version\/.*Safari\//.test(ua)
            ? 'Safari'
            : null;
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad|iPod/.test(ua)
        ? 'iOS'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null;
  if (browser && os) return `${browser} on ${os}`;
  if (browser) return browser;
  return ua.length > 60 ? `${ua.slice(0, 60)}…` : ua;
}

const isPhone = (ua: string | null) => !!ua && /Android|iPhone|iPod|Mobile/.test(ua);

function SessionsSection() {
  const [sessions, setSessions] = useState<TokenInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    call(api.GET('/api/auth/sessions'))
      .then((r) => {
        // This device first, then the most recently active.
        const last = (t: TokenInfo) => t.lastUsedAt ?? t.createdAt;
        setSessions([...r.items].sort((a, b) => Number(b.current) - Number(a.current) || last(b) - last(a)));
        setError(null);
      })
      .catch((e) => setError(humanError(e)));
  }, []);
  useEffect(load, [load]);

  const others = sessions?.filter((t) => !t.current) ?? [];

  const signOut = async (list: TokenInfo[]) => {
    setBusy(true);
    setError(null);
    let done = 0;
    try {
      for (const t of list) {
        try {
          await call(api.DELETE('/api/auth/sessions/{id}', { params: { path: { id: t.id } } }));
        } catch (e) {
          // Ended meanwhile (signed out there, or expired): that is what was asked for.
          if (!(e instanceof LoftApiError && e.status === 404)) throw e;
        }
        done++;
      }
      toast(list.length === 1 ? 'Signed out of that session.' : `Signed out of ${plural(done, 'session')}.`);
    } catch (e) {
      setError(humanError(e));
    } finally {
      setBusy(false);
      load();
    }
  };

  return (
    <section className="settings-section" aria-labelledby="sessions-title">
      <div className="section-head">
        <h2 id="sessions-title">Signed-in sessions</h2>
        {others.length > 1 && (
          <button type="button" className="button small" disabled={busy} onClick={() => void signOut(others)}>
            <LogOut size={16} aria-hidden="true" /> Sign out of all others
          </button>
        )}
      </div>
      <p className="muted">
        Browsers signed in to your account. Sign out of any you don’t recognise or no longer use.
      </p>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {sessions === null && !error && <p className="muted">Loading…</p>}
      {sessions && sessions.length > 0 && (
        <ul className="settings-list" aria-label="Signed-in sessions">
          {sessions.map((t) => {
            const agent = t.userAgent ?? t.name;
            const what = describeAgent(agent);
            const Icon = isPhone(agent) ? Smartphone : Monitor;
            return (
              <li key={t.id} className="settings-row" data-current={t.current || undefined}>
                <Icon size={18} aria-hidden="true" className="muted" />
                <div className="grow">
                  <div className="row wrap">
                    <span className="name" title={agent ?? undefined}>
                      {what}
                    </span>
                    {t.current && <span className="badge current">This device</span>}
                  </div>
                  <div className="muted small">
                    <span title={formatFullDate(t.createdAt)}>Signed in {formatDate(t.createdAt)}</span>
                    {usedSince(t) && (
                      <>
                        {' · '}
                        <span title={formatFullDate(t.lastUsedAt!)}>
                          last active {formatDate(t.lastUsedAt!)}
                        </span>
                      </>
                    )}
                    {t.ip && ` · ${t.ip}`}
                  </div>
                </div>
                {!t.current && (
                  <button
                    type="button"
                    className="button small"
                    disabled={busy}
                    aria-label={`Sign out ${what}, signed in ${formatDate(t.createdAt)}`}
                    onClick={() => void signOut([t])}
                  >
                    Sign out
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {sessions && others.length === 0 && <p className="muted small">No other sessions.</p>}
    </section>
  );
}
