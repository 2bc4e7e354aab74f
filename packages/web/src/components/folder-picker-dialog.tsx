import type { Node } from '@loft/sdk';
import { ChevronRight, Folder, Home } from 'lucide-react';
import { useEffect, useState } from 'react';
import { api, call, humanError } from '../lib/api.js';
import { Dialog } from './dialog.js';

interface Place {
  id: string;
  name: string;
}

/** Browse folders and pick one as the destination of a move or a copy. */
export function FolderPickerDialog(props: {
  title: string;
  actionLabel: string;
  rootId: string;
  /** Name of the top folder: "My files", or the shared folder's name. */
  rootLabel?: string;
  /** Path of the folder the picker opens at. */
  startSegments: string[];
  /** Items being moved: neither they nor their insides are valid destinations. */
  excluded: Set<string>;
  /** The folder the items are in already: moving there would do nothing. */
  current?: string;
  onPick: (folderId: string) => Promise<void>;
  onClose: () => void;
}) {
  const [trail, setTrail] = useState<Place[]>([]);
  const startKey = props.startSegments.join('/');
  useEffect(() => {
    const segs = startKey ? startKey.split('/') : [];
    // Open where the person is: resolve each ancestor so the breadcrumb can walk back up.
    Promise.all(
      segs.map((_, i) =>
        call(
          api.GET('/api/resolve', {
            params: { query: { path: '/' + segs.slice(0, i + 1).join('/'), from: props.rootId } },
          }),
        ),
      ),
    )
      .then((nodes) => setTrail(nodes.map((n) => ({ id: n.id, name: n.name }))))
      .catch(() => setTrail([]));
  }, [startKey, props.rootId]);
  const [folders, setFolders] = useState<Node[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const rootLabel = props.rootLabel ?? 'My files';
  const here = trail[trail.length - 1] ?? { id: props.rootId, name: rootLabel };

  useEffect(() => {
    let live = true;
    setFolders(null);
    (async () => {
      const out: Node[] = [];
      let cursor: string | undefined;
      // Folders come first in a listing: stop at the first page that reaches the files.
      for (;;) {
        const page = await call(
          api.GET('/api/nodes/{id}/children', {
            params: { path: { id: here.id }, query: { limit: 500, ...(cursor ? { cursor } : {}) } },
          }),
        );
        const fs = page.items.filter((n) => n.kind === 'folder');
        out.push(...fs);
        if (!page.nextCursor || fs.length < page.items.length) break;
        cursor = page.nextCursor;
      }
      if (live) setFolders(out);
    })().catch((e) => live && setError(humanError(e)));
    return () => {
      live = false;
    };
  }, [here.id]);

  const blocked =
    props.excluded.has(here.id) || trail.some((p) => props.excluded.has(p.id)) || here.id === props.current;

  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      wide
      footer={
        <>
          {error && (
            <span className="field-error grow" role="alert">
              {error}
            </span>
          )}
          <button type="button" className="button ghost" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button primary"
            disabled={busy || blocked}
            onClick={async () => {
              setBusy(true);
              try {
                await props.onPick(here.id);
                props.onClose();
              } catch (e) {
                setError(humanError(e));
                setBusy(false);
              }
            }}
          >
            {props.actionLabel} to “{here.name}”
          </button>
        </>
      }
    >
      <nav className="picker-crumbs" aria-label="Destination folder">
        <button type="button" className="crumb" onClick={() => setTrail([])}>
          <Home size={16} aria-hidden="true" /> {rootLabel}
        </button>
        {trail.map((p, i) => (
          <span key={p.id} className="crumb-wrap">
            <ChevronRight size={14} aria-hidden="true" />
            <button type="button" className="crumb" onClick={() => setTrail(trail.slice(0, i + 1))}>
              {p.name}
            </button>
          </span>
        ))}
      </nav>
      <ul className="picker-list" aria-label="Folders">
        {folders === null && !error && <li className="muted">Loading…</li>}
        {folders?.length === 0 && <li className="muted">No folders here.</li>}
        {folders?.map((f) => (
          <li key={f.id}>
            <button
              type="button"
              className="picker-item"
              disabled={props.excluded.has(f.id)}
              onClick={() => setTrail([...trail, { id: f.id, name: f.name }])}
            >
              <Folder size={18} aria-hidden="true" className="kind-folder" /> {f.name}
              <ChevronRight size={16} aria-hidden="true" className="push" />
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
