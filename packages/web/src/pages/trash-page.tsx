import type { TrashItem } from '@loft/sdk';
import { RotateCcw, Trash2, X } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { FileIcon } from '../components/file-icon.js';
import { api, call, humanError, refreshMe } from '../lib/api.js';
import { formatBytes, formatDate, formatFullDate, plural } from '../lib/format.js';
import { toast } from '../lib/toasts.js';

const DAY = 86_400_000;

function daysLeft(purgeAt: number): string {
  const d = Math.max(0, Math.ceil((purgeAt - Date.now()) / DAY));
  return d === 0 ? 'Deleted today' : d === 1 ? '1 day left' : `${d} days left`;
}

function folderOf(path: string): string {
  return path || '/';
}

export function TrashPage() {
  const [items, setItems] = useState<TrashItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ kind: 'empty' } | { kind: 'one'; item: TrashItem } | null>(null);

  const load = useCallback(async (after: string | null) => {
    setLoading(true);
    try {
      const page = await call(
        api.GET('/api/trash', { params: { query: { limit: 100, ...(after ? { cursor: after } : {}) } } }),
      );
      setItems((prev) => (after ? prev.concat(page.items) : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(humanError(e));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => void load(null), [load]);

  const restore = async (item: TrashItem) => {
    try {
      const n = await call(api.POST('/api/trash/{id}/restore', { params: { path: { id: item.id } } }));
      setItems((prev) => prev.filter((i) => i.id !== item.id));
      toast(`Restored “${item.name}” to ${n.path.split('/').slice(0, -1).join('/') || '/'}.`, {
        tone: 'success',
      });
      void refreshMe();
    } catch (e) {
      toast(humanError(e), { tone: 'error' });
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1 className="page-title">Trash</h1>
        <div className="toolbar">
          <button
            type="button"
            className="button danger-ghost"
            disabled={!items.length}
            onClick={() => setConfirm({ kind: 'empty' })}
          >
            <Trash2 size={16} aria-hidden="true" />
            <span className="label">Empty trash</span>
          </button>
        </div>
      </div>
      <p className="muted small trash-note">
        Items in the trash are deleted for good after their time runs out.
      </p>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {!loading && !items.length && !error ? (
        <div className="empty">
          <Trash2 size={48} aria-hidden="true" className="muted" />
          <h2>The trash is empty</h2>
          <p className="muted">Deleted files stay here for a while, so you can bring them back.</p>
        </div>
      ) : (
        <ul className="trash-list" aria-label="Deleted items">
          {items.map((item) => (
            <li key={item.id} className="trash-row" data-name={item.name}>
              <FileIcon name={item.name} kind={item.kind} contentType={item.contentType} />
              <div className="grow ellipsis">
                <div className="name">{item.name}</div>
                <div className="muted small ellipsis">
                  From {folderOf(item.originalPath)} ·{' '}
                  {item.kind === 'file' ? `${formatBytes(item.size)} · ` : ''}
                  <span title={formatFullDate(item.trashedAt)}>deleted {formatDate(item.trashedAt)}</span>
                </div>
              </div>
              <span
                className="badge muted only-wide"
                title={`Deleted for good on ${formatFullDate(item.purgeAt)}`}
              >
                {daysLeft(item.purgeAt)}
              </span>
              <button
                type="button"
                className="button small"
                onClick={() => void restore(item)}
                aria-label={`Restore ${item.name}`}
              >
                <RotateCcw size={16} aria-hidden="true" />
                <span className="label">Restore</span>
              </button>
              <button
                type="button"
                className="icon-button"
                aria-label={`Delete ${item.name} forever`}
                title="Delete forever"
                onClick={() => setConfirm({ kind: 'one', item })}
              >
                <X size={18} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" className="button" disabled={loading} onClick={() => void load(cursor)}>
          Load more
        </button>
      )}
      {confirm && (
        <ConfirmDialog
          title={confirm.kind === 'empty' ? 'Empty trash' : 'Delete forever'}
          message={
            confirm.kind === 'empty'
              ? 'Everything in the trash will be deleted for good. This cannot be undone.'
              : `“${confirm.item.name}” will be deleted for good. This cannot be undone.`
          }
          confirmLabel="Delete forever"
          danger
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            if (confirm.kind === 'empty') {
              const r = await call(api.DELETE('/api/trash'));
              setItems([]);
              setCursor(null);
              toast(`Deleted ${plural(r.purged, 'item')} for good.`);
            } else {
              await call(api.DELETE('/api/trash/{id}', { params: { path: { id: confirm.item.id } } }));
              setItems((prev) => prev.filter((i) => i.id !== confirm.item.id));
            }
            void refreshMe();
          }}
        />
      )}
    </div>
  );
}
