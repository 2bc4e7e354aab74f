import { urls } from '@loft/sdk';
import { Users, X } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { FileIcon } from '../components/file-icon.js';
import { download } from '../lib/actions.js';
import { api, call, humanError } from '../lib/api.js';
import { formatBytes, formatDate } from '../lib/format.js';
import { navigate } from '../lib/router.js';
import { toast } from '../lib/toasts.js';
import { FilesPage, type Place } from './files-page.js';

type Incoming = Awaited<ReturnType<typeof loadIncoming>>[number];

const loadIncoming = async () => (await call(api.GET('/api/shares/incoming'))).items;

/** Items other people shared with me. */
export function SharedWithMePage() {
  const [items, setItems] = useState<Incoming[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    loadIncoming()
      .then(setItems)
      .catch((e) => setError(humanError(e)));
  }, []);
  useEffect(load, [load]);

  const open = (it: Incoming) => {
    if (it.kind === 'folder') navigate(`/shared/${encodeURIComponent(it.id)}`);
    else download(urls.content(it.id));
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1 className="page-title">Shared with me</h1>
      </div>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {items?.length === 0 && (
        <div className="empty">
          <Users size={48} aria-hidden="true" className="muted" />
          <h2>Nothing shared with you yet</h2>
          <p className="muted">When someone shares a file or a folder with you, it shows up here.</p>
        </div>
      )}
      <ul className="trash-list" aria-label="Shared with me">
        {items?.map((it) => (
          <li key={it.share.id} className="trash-row" data-name={it.name}>
            <FileIcon name={it.name} kind={it.kind} contentType={it.contentType} />
            <div className="grow ellipsis">
              <button type="button" className="link name" onClick={() => open(it)}>
                {it.name}
              </button>
              <div className="muted small ellipsis">
                From {it.share.owner} · {it.kind === 'file' ? `${formatBytes(it.size)} · ` : ''}
                shared {formatDate(it.share.sharedAt)}
              </div>
            </div>
            <span className="badge">{it.share.role === 'editor' ? 'Can edit' : 'Can view'}</span>
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove ${it.name} from my view`}
              title="Remove from my view"
              onClick={async () => {
                try {
                  await call(api.DELETE('/api/shares/{id}', { params: { path: { id: it.share.id } } }));
                  toast(`Removed “${it.name}” from your view.`);
                  load();
                } catch (e) {
                  toast(humanError(e), { tone: 'error' });
                }
              }}
            >
              <X size={18} />
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A folder shared with me, in the normal file browser, with the role it was shared with. */
export function SharedFolderPage(props: { rootId: string; segments: string[]; selectId: string | null }) {
  const [place, setPlace] = useState<Place | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loadIncoming()
      .then((items) => {
        const it = items.find((i) => i.id === props.rootId);
        if (!it) return setError('This folder is not shared with you any more.');
        setPlace({ base: `/shared/${encodeURIComponent(it.id)}`, sharedRootId: it.id, role: it.share.role });
      })
      .catch((e) => setError(humanError(e)));
  }, [props.rootId]);
  if (error)
    return (
      <div className="empty">
        <Users size={48} aria-hidden="true" className="muted" />
        <h1>Not available</h1>
        <p className="muted">{error}</p>
        <button type="button" className="button primary" onClick={() => navigate('/shared')}>
          Go to Shared with me
        </button>
      </div>
    );
  if (!place) return <div className="page" aria-busy="true" />;
  return <FilesPage place={place} segments={props.segments} selectId={props.selectId} />;
}
