import type { NodeWithPath } from '@loft/sdk';
import { Search } from 'lucide-react';
import { useEffect, useState } from 'react';
import { FileIcon } from '../components/file-icon.js';
import { folderOf, openHit } from '../components/search-box.js';
import { api, call, humanError } from '../lib/api.js';
import { formatBytes, formatDate } from '../lib/format.js';

export function SearchPage({ q }: { q: string }) {
  const [items, setItems] = useState<NodeWithPath[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = async (term: string, after: string | null) => {
    if (!term.trim()) return;
    setLoading(true);
    try {
      const r = await call(
        api.GET('/api/search', {
          params: { query: { q: term, limit: 100, ...(after ? { cursor: after } : {}) } },
        }),
      );
      setItems((prev) => (after ? prev.concat(r.items) : r.items));
      setCursor(r.nextCursor);
      setError(null);
    } catch (e) {
      setError(humanError(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    setItems([]);
    void load(q, null);
  }, [q]);

  return (
    <div className="page">
      <div className="page-head">
        <h1 className="page-title">Results for “{q}”</h1>
      </div>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {!loading && !items.length && !error && (
        <div className="empty">
          <Search size={48} aria-hidden="true" className="muted" />
          <h2>Nothing found</h2>
          <p className="muted">No file or folder name contains “{q}”.</p>
        </div>
      )}
      <ul className="trash-list" aria-label="Search results">
        {items.map((h) => (
          <li key={h.id} className="trash-row">
            <FileIcon name={h.name} kind={h.kind} contentType={h.contentType} />
            <div className="grow ellipsis">
              <button type="button" className="link name" onClick={() => openHit(h)}>
                {h.name}
              </button>
              <div className="muted small ellipsis">
                In {folderOf(h.path)} · {h.kind === 'file' ? `${formatBytes(h.size)} · ` : ''}
                {formatDate(h.modifiedAt)}
              </div>
            </div>
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" className="button" disabled={loading} onClick={() => void load(q, cursor)}>
          Load more
        </button>
      )}
    </div>
  );
}
