import { ChevronRight, Download, FileArchive, Lock, Upload } from 'lucide-react';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { FileIcon } from '../components/file-icon.js';
import { Logo } from '../components/logo.js';
import { api, humanError, LoftApiError, parseErrorResponse } from '../lib/api.js';
import { formatBytes, formatDate, formatFullDate } from '../lib/format.js';
import { navigate } from '../lib/router.js';
import { unwrap } from '@loft/sdk';

type Info = Awaited<ReturnType<typeof getInfo>>;
type Entry = {
  name: string;
  kind: 'file' | 'folder';
  size: number;
  contentType: string | null;
  modifiedAt: number;
};

const getInfo = (token: string) =>
  unwrap(api.GET('/api/public/links/{token}', { params: { path: { token } } }));

const base = (token: string) => `/api/public/links/${encodeURIComponent(token)}`;
const join = (path: string, name: string) => (path === '/' ? '' : path) + '/' + name;

function gone(e: unknown): { title: string; text: string } {
  const code = e instanceof LoftApiError ? e.code : '';
  if (code === 'link_expired')
    return { title: 'This link has expired', text: 'Ask the person who sent it for a new one.' };
  if (code === 'link_exhausted')
    return {
      title: 'This link has been used up',
      text: 'It has reached its download limit. Ask for a new one.',
    };
  if (code === 'not_found')
    return {
      title: 'This link does not exist',
      text: 'It may have been revoked, or the address is incomplete.',
    };
  return { title: 'This link cannot be opened', text: humanError(e) };
}

/** The page anyone with a link sees, signed in or not: a file, a folder to browse, or a file drop. */
export function PublicLinkPage({ token, path }: { token: string; path: string }) {
  const [info, setInfo] = useState<Info | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    setError(null);
    getInfo(token).then(setInfo, setError);
  }, [token]);
  useEffect(load, [load]);

  let body;
  if (error) {
    const g = gone(error);
    body = (
      <div className="empty">
        <h1>{g.title}</h1>
        <p className="muted">{g.text}</p>
      </div>
    );
  } else if (!info) body = <div aria-busy="true" />;
  else if (info.passwordRequired) body = <Unlock token={token} onUnlocked={load} />;
  else if (info.uploadOnly) body = <Drop token={token} info={info} />;
  else if (info.kind === 'file') body = <OneFile token={token} info={info} />;
  else body = <Folder token={token} info={info} path={path} />;

  return (
    <div className="public">
      <header className="public-head">
        <Logo />
        <span className="brand-name">Loft</span>
      </header>
      <main className="public-main">{body}</main>
    </div>
  );
}

function Unlock(props: { token: string; onUnlocked: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST('/api/public/links/{token}/unlock', {
          params: { path: { token: props.token } },
          body: { password },
        }),
      );
      props.onUnlocked();
    } catch (err) {
      setError(
        err instanceof LoftApiError && err.status === 401 ? 'That password is not right.' : humanError(err),
      );
      setBusy(false);
    }
  };
  return (
    <form className="public-card stack" onSubmit={submit}>
      <Lock size={32} aria-hidden="true" className="muted" />
      <h1>This link is protected</h1>
      <p className="muted">Enter the password you were given.</p>
      <label className="field">
        <span>Password</span>
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoFocus
          autoComplete="off"
        />
      </label>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button primary block" disabled={busy || !password}>
        Open
      </button>
    </form>
  );
}

function OneFile({ token, info }: { token: string; info: Info }) {
  return (
    <div className="public-card stack">
      <FileIcon name={info.name ?? ''} kind="file" contentType={info.contentType} size={40} />
      <h1 className="ellipsis">{info.name}</h1>
      <p className="muted">
        {formatBytes(info.size ?? 0)}
        {info.modifiedAt ? ` · ${formatFullDate(info.modifiedAt)}` : ''}
        {info.downloadsLeft !== null ? ` · ${info.downloadsLeft} downloads left` : ''}
      </p>
      <a className="button primary block" href={`${base(token)}/content`} download>
        <Download size={16} aria-hidden="true" /> Download
      </a>
    </div>
  );
}

function Folder({ token, info, path }: { token: string; info: Info; path: string }) {
  const [items, setItems] = useState<Entry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const go = (p: string) =>
    navigate(`/s/${encodeURIComponent(token)}${p === '/' ? '' : `?path=${encodeURIComponent(p)}`}`);

  const load = useCallback(
    async (after: string | null) => {
      try {
        const page = await unwrap(
          api.GET('/api/public/links/{token}/children', {
            params: { path: { token }, query: { path, limit: 200, ...(after ? { cursor: after } : {}) } },
          }),
        );
        setItems((prev) => (after && prev ? prev.concat(page.items) : page.items));
        setCursor(page.nextCursor);
      } catch (e) {
        setError(humanError(e));
      }
    },
    [token, path],
  );
  useEffect(() => {
    setItems(null);
    void load(null);
  }, [load]);

  const segs = path.split('/').filter(Boolean);
  return (
    <div className="public-folder">
      <div className="page-head">
        <nav className="breadcrumbs" aria-label="Breadcrumb">
          <ol>
            <li>
              {segs.length ? (
                <a className="crumb" href="#" onClick={(e) => (e.preventDefault(), go('/'))}>
                  {info.name}
                </a>
              ) : (
                <span className="crumb current" aria-current="page">
                  {info.name}
                </span>
              )}
            </li>
            {segs.map((s, i) => (
              <li key={i}>
                <ChevronRight size={16} aria-hidden="true" className="muted" />
                {i === segs.length - 1 ? (
                  <span className="crumb current" aria-current="page">
                    {s}
                  </span>
                ) : (
                  <a
                    className="crumb"
                    href="#"
                    onClick={(e) => (e.preventDefault(), go('/' + segs.slice(0, i + 1).join('/')))}
                  >
                    {s}
                  </a>
                )}
              </li>
            ))}
          </ol>
        </nav>
        <a
          className="button"
          href={`${base(token)}/zip${path === '/' ? '' : `?path=${encodeURIComponent(path)}`}`}
          download
        >
          <FileArchive size={16} aria-hidden="true" /> Download all
        </a>
      </div>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {items?.length === 0 && <p className="muted empty">This folder is empty.</p>}
      <ul className="trash-list" aria-label="Files">
        {items?.map((it) => (
          <li key={it.name} className="trash-row" data-name={it.name}>
            <FileIcon name={it.name} kind={it.kind} contentType={it.contentType} />
            <div className="grow ellipsis">
              {it.kind === 'folder' ? (
                <button type="button" className="link name" onClick={() => go(join(path, it.name))}>
                  {it.name}
                </button>
              ) : (
                <span className="name">{it.name}</span>
              )}
              <div className="muted small">
                {it.kind === 'file' ? `${formatBytes(it.size)} · ` : ''}
                {formatDate(it.modifiedAt)}
              </div>
            </div>
            <a
              className="icon-button"
              aria-label={`Download ${it.name}`}
              title="Download"
              download
              href={
                it.kind === 'file'
                  ? `${base(token)}/content?path=${encodeURIComponent(join(path, it.name))}`
                  : `${base(token)}/zip?path=${encodeURIComponent(join(path, it.name))}`
              }
            >
              <Download size={18} />
            </a>
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" className="button" onClick={() => void load(cursor)}>
          Load more
        </button>
      )}
    </div>
  );
}

interface Sent {
  id: number;
  name: string;
  size: number;
  loaded: number;
  state: 'sending' | 'done' | 'error';
  error?: string;
}

/** Upload-only link: visitors add files; they never see what is there. */
function Drop({ token, info }: { token: string; info: Info }) {
  const [sent, setSent] = useState<Sent[]>([]);
  const input = useRef<HTMLInputElement>(null);
  const seq = useRef(0);
  const send = (files: File[]) => {
    for (const file of files) {
      const id = ++seq.current;
      setSent((s) => [...s, { id, name: file.name, size: file.size, loaded: 0, state: 'sending' }]);
      const update = (patch: Partial<Sent>) =>
        setSent((s) => s.map((x) => (x.id === id ? { ...x, ...patch } : x)));
      const form = new FormData();
      form.append('file', file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${base(token)}/files`);
      xhr.upload.onprogress = (e) => update({ loaded: e.loaded });
      xhr.onload = async () => {
        if (xhr.status >= 200 && xhr.status < 300) update({ state: 'done', loaded: file.size });
        else
          update({
            state: 'error',
            error: humanError(await parseErrorResponse(xhr.status, xhr.responseText)),
          });
      };
      xhr.onerror = () => update({ state: 'error', error: 'The connection was lost.' });
      xhr.send(form);
    }
  };
  return (
    <div
      className="public-card stack drop-card"
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        send(Array.from(e.dataTransfer.files));
      }}
    >
      <Upload size={36} aria-hidden="true" className="muted" />
      <h1>Send files to “{info.name}”</h1>
      <p className="muted">Drop files here or choose them. You will not see what others sent.</p>
      <button type="button" className="button primary" onClick={() => input.current?.click()}>
        <Upload size={16} aria-hidden="true" /> Choose files
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Files to send"
        onChange={(e) => {
          send(Array.from(e.target.files ?? []));
          e.target.value = '';
        }}
      />
      {sent.length > 0 && (
        <ul className="transfer-list" aria-label="Sent files">
          {sent.map((s) => (
            <li key={s.id} className="transfer" data-status={s.state}>
              <div className="transfer-main">
                <div className="transfer-name">{s.name}</div>
                <div className="muted small">
                  {s.state === 'done' && `Sent · ${formatBytes(s.size)}`}
                  {s.state === 'sending' && `${formatBytes(s.loaded)} of ${formatBytes(s.size)}`}
                  {s.state === 'error' && (
                    <span className="field-error" role="alert">
                      {s.error}
                    </span>
                  )}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
