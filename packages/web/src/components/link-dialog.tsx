import type { Node } from '@loft/sdk';
import { Check, Copy, Link2, Pencil, QrCode, Trash2 } from 'lucide-react';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, call, humanError } from '../lib/api.js';
import { copyText } from '../lib/clipboard.js';
import { formatDate, plural } from '../lib/format.js';
import { toast } from '../lib/toasts.js';
import { Dialog } from './dialog.js';

export type LinkInfo = Awaited<ReturnType<typeof listLinks>>[number];

export const listLinks = async (nodeId?: string) =>
  (await call(api.GET('/api/links', { params: { query: { limit: 200, ...(nodeId ? { nodeId } : {}) } } })))
    .items;

const statusText: Record<LinkInfo['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  exhausted: 'Download limit reached',
  trashed: 'Item in trash',
};

export function LinkCard(props: { link: LinkInfo; onChanged: () => void; showName?: boolean }) {
  const { link } = props;
  const [qr, setQr] = useState(false);
  const [editing, setEditing] = useState(false);
  const [copied, setCopied] = useState(false);
  const inputId = `link-url-${link.id}`;
  return (
    <li className="link-card" data-status={link.status}>
      <div className="row">
        <Link2 size={16} aria-hidden="true" className="muted" />
        <strong className="grow ellipsis">{props.showName ? link.name : 'Public link'}</strong>
        <span className={`badge status-${link.status}`}>{statusText[link.status]}</span>
      </div>
      <div className="row">
        <input
          id={inputId}
          className="link-url grow"
          readOnly
          value={link.url}
          aria-label={`Link to ${link.name}`}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button
          type="button"
          className="button small"
          onClick={async () => {
            const ok = await copyText(link.url, document.getElementById(inputId) as HTMLInputElement | null);
            setCopied(ok);
            toast(ok ? 'Link copied.' : 'Press Ctrl+C to copy the selected link.');
            if (ok) setTimeout(() => setCopied(false), 1500);
          }}
        >
          {copied ? <Check size={16} aria-hidden="true" /> : <Copy size={16} aria-hidden="true" />} Copy
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={qr ? 'Hide QR code' : 'Show QR code'}
          aria-expanded={qr}
          onClick={() => setQr(!qr)}
        >
          <QrCode size={18} />
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={`Change link to ${link.name}`}
          aria-expanded={editing}
          title="Change"
          onClick={() => setEditing(!editing)}
        >
          <Pencil size={16} />
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={`Revoke link to ${link.name}`}
          title="Revoke"
          onClick={async () => {
            try {
              await call(api.DELETE('/api/links/{linkId}', { params: { path: { linkId: link.id } } }));
              toast('Link revoked: it no longer opens.');
              props.onChanged();
            } catch (e) {
              toast(humanError(e), { tone: 'error' });
            }
          }}
        >
          <Trash2 size={16} />
        </button>
      </div>
      <div className="muted small">
        {[
          link.hasPassword ? 'Password' : 'No password',
          link.expiresAt ? `expires ${formatDate(link.expiresAt)}` : 'never expires',
          link.maxDownloads
            ? `${link.downloads} of ${link.maxDownloads} downloads`
            : plural(link.downloads, 'download'),
          plural(link.views, 'view'),
          link.uploadOnly ? 'upload only' : null,
        ]
          .filter(Boolean)
          .join(' · ')}
      </div>
      {editing && (
        <LinkEditForm
          link={link}
          onDone={() => {
            setEditing(false);
            props.onChanged();
          }}
        />
      )}
      {qr && (
        <div className="qr">
          <img
            src={`/api/links/${encodeURIComponent(link.id)}/qr.svg`}
            alt={`QR code of the link to ${link.name}`}
            width={180}
            height={180}
          />
          <a
            href={`/api/links/${encodeURIComponent(link.id)}/qr.png`}
            download={`${link.name}-qr.png`}
            className="small"
          >
            Download PNG
          </a>
        </div>
      )}
    </li>
  );
}

/** "2026-11-21" for a date input, in the person's own time zone. */
function dateInput(ms: number | null): string {
  if (!ms) return '';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Reads the optional settings fields shared by "new link" and "change link"; an error string when wrong. */
function parseSettings(
  expires: string,
  maxDownloads: string,
): { expiresAt: number | null; max: number | null } | string {
  const max = maxDownloads.trim() ? Number(maxDownloads) : null;
  if (max !== null && (!Number.isInteger(max) || max < 1))
    return 'The download limit must be a whole number, 1 or more.';
  // A date means "until the end of that day", in the person's own time zone.
  const expiresAt = expires ? new Date(`${expires}T23:59:59`).getTime() : null;
  if (expiresAt !== null && expiresAt <= Date.now()) return 'Pick an expiry date in the future.';
  return { expiresAt, max };
}

/** Change a link's password, expiry and download limit. */
function LinkEditForm(props: { link: LinkInfo; onDone: () => void }) {
  const { link } = props;
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [expires, setExpires] = useState(dateInput(link.expiresAt));
  const [maxDownloads, setMaxDownloads] = useState(link.maxDownloads ? String(link.maxDownloads) : '');
  const [error, setError] = useState<string | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseSettings(expires, maxDownloads);
    if (typeof parsed === 'string') return setError(parsed);
    try {
      await call(
        api.PATCH('/api/links/{linkId}', {
          params: { path: { linkId: link.id } },
          body: {
            ...(removePassword ? { password: null } : password ? { password } : {}),
            expiresAt: parsed.expiresAt,
            maxDownloads: parsed.max,
          },
        }),
      );
      toast('Link changed.', { tone: 'success' });
      props.onDone();
    } catch (err) {
      setError(humanError(err));
    }
  };
  return (
    <form className="stack link-edit" onSubmit={save} noValidate aria-label={`Change link to ${link.name}`}>
      <div className="link-options">
        <label className="field">
          <span>{link.hasPassword ? 'New password' : 'Password'}</span>
          <input
            type="password"
            value={password}
            disabled={removePassword}
            onChange={(e) => setPassword(e.target.value)}
            placeholder={link.hasPassword ? 'Keep the current one' : 'None'}
            autoComplete="new-password"
          />
        </label>
        <label className="field">
          <span>Expires on</span>
          <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </label>
        <label className="field">
          <span>Download limit</span>
          <input
            inputMode="numeric"
            value={maxDownloads}
            onChange={(e) => setMaxDownloads(e.target.value)}
            placeholder="No limit"
          />
        </label>
      </div>
      {link.hasPassword && (
        <label className="check">
          <input
            type="checkbox"
            checked={removePassword}
            onChange={(e) => setRemovePassword(e.target.checked)}
          />
          <span>Remove the password</span>
        </label>
      )}
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      <div className="row end">
        <button type="button" className="button ghost" onClick={props.onDone}>
          Cancel
        </button>
        <button type="submit" className="button primary">
          Save
        </button>
      </div>
    </form>
  );
}

/** Public links of one item: create one with a password, an expiry, a download limit; copy, QR, revoke. */
export function LinkDialog(props: { node: Node; onClose: () => void }) {
  const [links, setLinks] = useState<LinkInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [expires, setExpires] = useState('');
  const [maxDownloads, setMaxDownloads] = useState('');
  const [uploadOnly, setUploadOnly] = useState(false);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    listLinks(props.node.id)
      .then(setLinks)
      .catch((e) => setError(humanError(e)));
  }, [props.node.id]);
  useEffect(load, [load]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const parsed = parseSettings(expires, maxDownloads);
    if (typeof parsed === 'string') return setError(parsed);
    const { expiresAt, max } = parsed;
    setBusy(true);
    try {
      await call(
        api.POST('/api/nodes/{id}/links', {
          params: { path: { id: props.node.id } },
          body: {
            ...(password ? { password } : {}),
            ...(expiresAt ? { expiresAt } : {}),
            ...(max ? { maxDownloads: max } : {}),
            ...(uploadOnly ? { uploadOnly: true } : {}),
          },
        }),
      );
      setPassword('');
      setExpires('');
      setMaxDownloads('');
      setUploadOnly(false);
      toast('Link created.', { tone: 'success' });
      load();
    } catch (err) {
      setError(humanError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Public links to “${props.node.name}”`} onClose={props.onClose} wide>
      {links === null && !error && <p className="muted">Loading…</p>}
      {links && links.length > 0 && (
        <ul className="link-list" aria-label="Links">
          {links.map((l) => (
            <LinkCard key={l.id} link={l} onChanged={load} />
          ))}
        </ul>
      )}
      <form className="stack link-form" onSubmit={create} noValidate>
        <h3 className="section-title">New link</h3>
        <div className="link-options">
          <label className="field">
            <span>Password (optional)</span>
            <input
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
            />
          </label>
          <label className="field">
            <span>Expires on (optional)</span>
            <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
          </label>
          <label className="field">
            <span>Download limit (optional)</span>
            <input
              inputMode="numeric"
              value={maxDownloads}
              onChange={(e) => setMaxDownloads(e.target.value)}
              placeholder="No limit"
            />
          </label>
        </div>
        {props.node.kind === 'folder' && (
          <label className="check">
            <input type="checkbox" checked={uploadOnly} onChange={(e) => setUploadOnly(e.target.checked)} />
            <span>Upload only (a file drop: visitors can add files but not see any)</span>
          </label>
        )}
        {error && (
          <p className="alert error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="submit" className="button primary" disabled={busy}>
            <Link2 size={16} aria-hidden="true" /> Create link
          </button>
        </div>
      </form>
    </Dialog>
  );
}
