import { Send as SendIcon, Trash2, Upload } from 'lucide-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { FileIcon } from '../components/file-icon.js';
import { LinkCard, type LinkInfo } from '../components/link-dialog.js';
import { api, call, humanError, parseErrorResponse, refreshMe } from '../lib/api.js';
import { formatBytes, formatDuration } from '../lib/format.js';
import { toast } from '../lib/toasts.js';

interface SendInfo {
  id: string;
  name: string;
  size: number;
  contentType: string | null;
  createdAt: number;
  expiresAt: number;
  link: LinkInfo;
}

const LIFETIMES = [
  { minutes: 60, label: '1 hour' },
  { minutes: 120, label: '2 hours' },
  { minutes: 24 * 60, label: '1 day' },
  { minutes: 7 * 24 * 60, label: '7 days' },
];

/** Sends: put a file up behind a link that expires, then share the link or its QR code. */
export function SendsPage() {
  const [items, setItems] = useState<SendInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [lifetime, setLifetime] = useState(120);
  const [progress, setProgress] = useState<{ name: string; loaded: number; size: number } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const [, tick] = useState(0);

  const load = useCallback(() => {
    call(api.GET('/api/sends'))
      .then((r) => setItems(r.items as SendInfo[]))
      .catch((e) => setError(humanError(e)));
  }, []);
  useEffect(load, [load]);
  // Time left counts down on screen; the list drops sends that ran out.
  useEffect(() => {
    const t = window.setInterval(() => tick((n) => n + 1), 30_000);
    return () => window.clearInterval(t);
  }, []);

  const send = (file: File) => {
    setError(null);
    setProgress({ name: file.name, loaded: 0, size: file.size });
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/sends?name=${encodeURIComponent(file.name)}&lifetime=${lifetime}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => setProgress({ name: file.name, loaded: e.loaded, size: file.size });
    xhr.onload = async () => {
      setProgress(null);
      if (xhr.status >= 200 && xhr.status < 300) {
        toast(`“${file.name}” is ready to share.`, { tone: 'success' });
        load();
        void refreshMe();
      } else setError(humanError(await parseErrorResponse(xhr.status, xhr.responseText)));
    };
    xhr.onerror = () => {
      setProgress(null);
      setError('The connection was lost.');
    };
    xhr.send(file);
  };

  const live = items?.filter((s) => s.expiresAt > Date.now()) ?? null;
  return (
    <div className="page">
      <div className="page-head">
        <h1 className="page-title">Sends</h1>
        <div className="toolbar">
          <label className="field inline">
            <span className="small muted">Available for</span>
            <select
              value={lifetime}
              onChange={(e) => setLifetime(Number(e.target.value))}
              aria-label="Available for"
            >
              {LIFETIMES.map((l) => (
                <option key={l.minutes} value={l.minutes}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button primary"
            onClick={() => input.current?.click()}
            disabled={!!progress}
          >
            <Upload size={16} aria-hidden="true" /> Send a file
          </button>
          <input
            ref={input}
            type="file"
            hidden
            aria-label="File to send"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) send(f);
              e.target.value = '';
            }}
          />
        </div>
      </div>
      <p className="muted small trash-note">
        A send is a file behind a link that stops working after a while; then the file is deleted and its
        space freed.
      </p>
      {progress && (
        <div
          className="progress"
          role="progressbar"
          aria-label={`Sending ${progress.name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={progress.size ? Math.round((progress.loaded / progress.size) * 100) : 0}
        >
          <div style={{ width: `${progress.size ? (progress.loaded / progress.size) * 100 : 0}%` }} />
        </div>
      )}
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {live?.length === 0 && !progress && (
        <div className="empty">
          <SendIcon size={48} aria-hidden="true" className="muted" />
          <h2>No active sends</h2>
          <p className="muted">Send a file to get a link and a QR code that work for a while.</p>
        </div>
      )}
      <ul className="link-list" aria-label="Active sends">
        {live?.map((s) => (
          <li key={s.id} className="send-item" data-name={s.name}>
            <div className="row">
              <FileIcon name={s.name} kind="file" contentType={s.contentType} />
              <div className="grow ellipsis">
                <div className="name">{s.name}</div>
                <div className="muted small">
                  {formatBytes(s.size)} · {formatDuration((s.expiresAt - Date.now()) / 1000)} left
                </div>
              </div>
              <button
                type="button"
                className="icon-button"
                aria-label={`End the send of ${s.name}`}
                title="End now"
                onClick={async () => {
                  try {
                    await call(api.DELETE('/api/sends/{id}', { params: { path: { id: s.id } } }));
                    toast(`The send of “${s.name}” has ended.`);
                    load();
                    void refreshMe();
                  } catch (e) {
                    toast(humanError(e), { tone: 'error' });
                  }
                }}
              >
                <Trash2 size={16} />
              </button>
            </div>
            <ul className="link-list">
              <LinkCard link={s.link} onChanged={load} />
            </ul>
          </li>
        ))}
      </ul>
    </div>
  );
}
