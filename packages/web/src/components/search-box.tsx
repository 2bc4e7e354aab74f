import type { NodeWithPath } from '@loft/sdk';
import { Search } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { api, call } from '../lib/api.js';
import { filesHref, navigate, segmentsOfPath } from '../lib/router.js';
import { FileIcon } from './file-icon.js';

type Hit = NodeWithPath;

export function folderOf(path: string): string {
  const segs = segmentsOfPath(path);
  return segs.length > 1 ? '/' + segs.slice(0, -1).join('/') : '/';
}

/** Where a search hit opens: a folder itself, a file in its folder with the file selected. */
export function openHit(hit: Hit): void {
  const segs = segmentsOfPath(hit.path);
  if (hit.kind === 'folder') navigate(filesHref(segs));
  else navigate(`${filesHref(segs.slice(0, -1))}?select=${encodeURIComponent(hit.id)}`);
}

/** The header's search: a few live suggestions, Enter for the full results page. */
export function SearchBox() {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Hit[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();
  const timer = useRef<number | undefined>(undefined);
  const closeTimer = useRef<number | undefined>(undefined);

  useEffect(() => {
    window.clearTimeout(timer.current);
    const term = q.trim();
    if (!term) {
      setHits([]);
      return;
    }
    let live = true;
    timer.current = window.setTimeout(() => {
      call(api.GET('/api/search', { params: { query: { q: term, limit: 8 } } }))
        .then((r) => live && (setHits(r.items), setActive(-1)))
        .catch(() => live && setHits([]));
    }, 200);
    return () => {
      live = false;
    };
  }, [q]);

  const go = (hit: Hit) => {
    setOpen(false);
    setQ('');
    openHit(hit);
  };

  return (
    <form
      className="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const h = hits[active];
        if (h) return go(h);
        if (q.trim()) {
          setOpen(false);
          navigate(`/search?q=${encodeURIComponent(q.trim())}`);
        }
      }}
    >
      <Search size={18} className="search-icon" aria-hidden="true" />
      <input
        type="search"
        placeholder="Search files"
        aria-label="Search files by name"
        value={q}
        role="combobox"
        aria-expanded={open && hits.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
        onChange={(e) => {
          setQ(e.target.value);
          setOpen(true);
        }}
        onFocus={() => {
          // Back before the close of a recent blur ran: stay open.
          window.clearTimeout(closeTimer.current);
          setOpen(true);
        }}
        onBlur={() => {
          closeTimer.current = window.setTimeout(() => setOpen(false), 150);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, hits.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, -1));
          } else if (e.key === 'Escape') setOpen(false);
        }}
      />
      {open && hits.length > 0 && (
        <ul className="search-results" id={listId} role="listbox" aria-label="Search suggestions">
          {hits.map((h, i) => (
            <li
              key={h.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                go(h);
              }}
            >
              <FileIcon name={h.name} kind={h.kind} contentType={h.contentType} />
              <span className="grow ellipsis">
                <span className="hit-name">{h.name}</span>
                <span className="muted small hit-path">{folderOf(h.path)}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
