import type { Node, NodeWithPath, SortKey } from '@loft/sdk';
import {
  Copy,
  Download,
  FileArchive,
  FolderInput,
  FolderOpen,
  FolderPlus,
  FolderUp,
  History,
  Pencil,
  Trash2,
  Link2,
  Upload,
  Users,
  X,
} from 'lucide-react';
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import { Breadcrumbs } from '../components/breadcrumbs.js';
import { FileList, type FileListHandle } from '../components/file-list.js';
import { FolderPickerDialog } from '../components/folder-picker-dialog.js';
import { Menu, type MenuItem } from '../components/menu.js';
import { NameDialog } from '../components/name-dialog.js';
import { LinkDialog } from '../components/link-dialog.js';
import { ShareDialog } from '../components/share-dialog.js';
import { VersionsDialog } from '../components/versions-dialog.js';
import { downloadNodes, eachLimited, trashWithUndo } from '../lib/actions.js';
import { api, call, humanError, LoftApiError, refreshMe, session } from '../lib/api.js';
import { entriesOfDrop, pickedFromInput, walkEntries } from '../lib/drop.js';
import { plural } from '../lib/format.js';
import { useListing } from '../lib/listing.js';
import { navigate, segmentsOfPath } from '../lib/router.js';
import { useStore } from '../lib/store.js';
import { toast } from '../lib/toasts.js';
import { enqueueUploads, folderChanged } from '../lib/transfers.js';

type Modal =
  | { kind: 'new-folder' }
  | { kind: 'rename'; node: Node }
  | { kind: 'move' | 'copy'; nodes: Node[] }
  | { kind: 'versions'; node: Node }
  | { kind: 'share'; node: Node }
  | { kind: 'link'; node: Node };

function storedSort(): { sort: SortKey; order: 'asc' | 'desc' } {
  try {
    const v = JSON.parse(localStorage.getItem('loft-sort') ?? '');
    if (['name', 'size', 'modified'].includes(v.sort) && ['asc', 'desc'].includes(v.order)) return v;
  } catch {
    /* first visit */
  }
  return { sort: 'name', order: 'asc' };
}

/** Where a file browser is rooted: my own files, or a folder someone shared with me. */
export interface Place {
  /** URL of the top folder: "/files" or "/shared/<id>". */
  base: string;
  /** The shared folder's id when browsing something shared with me. */
  sharedRootId: string | null;
  role: 'owner' | 'editor' | 'viewer';
}

export const ownFiles: Place = { base: '/files', sharedRootId: null, role: 'owner' };

const hrefIn = (place: Place, segs: string[]) =>
  place.base + segs.map((s) => '/' + encodeURIComponent(s)).join('');

export function FilesPage({
  place = ownFiles,
  segments,
  selectId,
}: {
  place?: Place;
  segments: string[];
  selectId: string | null;
}) {
  const [resolved, setResolved] = useState<{ key: string; folder: NodeWithPath } | null>(null);
  const [folderError, setFolderError] = useState<LoftApiError | null>(null);
  // Names are stored NFC-normalized; a hand-typed URL may not be.
  const pathKey = place.base + '\n' + segments.join('/').normalize('NFC');

  useEffect(() => {
    let live = true;
    setFolderError(null);
    const path = '/' + segments.join('/').normalize('NFC');
    const from = place.sharedRootId;
    call(api.GET('/api/resolve', { params: { query: { path, ...(from ? { from } : {}) } } }))
      .then((n) => {
        if (!live) return;
        if (n.kind === 'file') {
          // A deep link to a file opens its folder with the file selected.
          navigate(`${hrefIn(place, segments.slice(0, -1))}?select=${encodeURIComponent(n.id)}`, {
            replace: true,
          });
        } else setResolved({ key: pathKey, folder: n });
      })
      .catch(
        (e) =>
          live && setFolderError(e instanceof LoftApiError ? e : new LoftApiError(0, 'error', humanError(e))),
      );
    return () => {
      live = false;
    };
    // pathKey covers place.base and segments.
  }, [pathKey]);

  if (folderError)
    return (
      <div className="empty">
        <FolderOpen size={48} aria-hidden="true" className="muted" />
        <h1>{folderError.status === 404 ? 'This folder does not exist' : 'This folder cannot be opened'}</h1>
        <p className="muted">
          {folderError.status === 404
            ? 'It may have been moved, renamed or deleted.'
            : humanError(folderError)}
        </p>
        <button
          type="button"
          className="button primary"
          onClick={() => navigate(place.sharedRootId ? '/shared' : '/files')}
        >
          {place.sharedRootId ? 'Go to Shared with me' : 'Go to My files'}
        </button>
      </div>
    );
  if (!resolved || resolved.key !== pathKey) return <div className="page" aria-busy="true" />;
  const folder = resolved.folder;
  return <FolderView key={folder.id} place={place} folder={folder} segments={segments} selectId={selectId} />;
}

function FolderView({
  place,
  folder,
  segments,
  selectId,
}: {
  place: Place;
  folder: NodeWithPath;
  segments: string[];
  selectId: string | null;
}) {
  const canWrite = place.role !== 'viewer';
  const crumbs = place.sharedRootId
    ? [
        { name: 'Shared with me', href: '/shared' },
        { name: segmentsOfPath(folder.path)[0] ?? folder.name, href: place.base },
        ...segments.map((name, i) => ({ name, href: hrefIn(place, segments.slice(0, i + 1)) })),
      ]
    : [
        { name: 'My files', href: '/files' },
        ...segments.map((name, i) => ({ name, href: hrefIn(place, segments.slice(0, i + 1)) })),
      ];
  const [{ sort, order }, setSortState] = useState(storedSort);
  const listing = useListing(folder.id, sort, order);
  const { items, total } = listing;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [focusIndex, setFocusIndex] = useState(0);
  const anchor = useRef(0);
  const [modal, setModal] = useState<Modal | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number; nodes: Node[] } | null>(null);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const list = useRef<FileListHandle>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const dirInput = useRef<HTMLInputElement>(null);
  const selectAllPending = useRef(false);
  const changed = useStore(folderChanged);
  const user = useStore(session);

  const { reload } = listing;
  // Uploads and new folders land here: reload, at most every half second while they stream in.
  const reloadTimer = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (changed.folderId !== folder.id) return;
    window.clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(reload, 500);
  }, [changed, folder.id, reload]);

  useEffect(() => {
    dirInput.current?.setAttribute('webkitdirectory', '');
  }, []);

  // ?select=<id> (from search or a deep link to a file): select and reveal it once loaded.
  const revealed = useRef<string | null>(null);
  useEffect(() => {
    if (!selectId || revealed.current === selectId) return;
    const i = items.findIndex((n) => n.id === selectId);
    if (i < 0) {
      if (items.length < total) listing.want(items.length + 1000);
      return;
    }
    revealed.current = selectId;
    setSelected(new Set([selectId]));
    setFocusIndex(i);
    anchor.current = i;
    requestAnimationFrame(() => list.current?.scrollToIndex(i));
  }, [selectId, items, total, listing]);

  useEffect(() => {
    if (selectAllPending.current) {
      setSelected(new Set(items.map((n) => n.id)));
      if (items.length >= total) selectAllPending.current = false;
    }
  }, [items, total]);

  const selectedNodes = useMemo(() => items.filter((n) => selected.has(n.id)), [items, selected]);

  const open = useCallback(
    (n: Node) => {
      if (n.kind === 'folder') navigate(hrefIn(place, [...segments, n.name]));
      else downloadNodes([n]);
    },
    [place, segments],
  );

  const setSort = (key: SortKey) => {
    const next = { sort: key, order: sort === key && order === 'asc' ? ('desc' as const) : ('asc' as const) };
    localStorage.setItem('loft-sort', JSON.stringify(next));
    setSortState(next);
  };

  const selectRange = (from: number, to: number, add: boolean) => {
    const [a, b] = from <= to ? [from, to] : [to, from];
    const next = add ? new Set(selected) : new Set<string>();
    for (let i = a; i <= b; i++) {
      const n = items[i];
      if (n) next.add(n.id);
    }
    setSelected(next);
  };

  const onRowClick = (i: number, e: MouseEvent) => {
    const n = items[i];
    if (!n) return;
    setFocusIndex(i);
    if (e.shiftKey) selectRange(anchor.current, i, e.ctrlKey || e.metaKey);
    else if (e.ctrlKey || e.metaKey) {
      toggle(i);
      anchor.current = i;
    } else {
      setSelected(new Set([n.id]));
      anchor.current = i;
    }
    list.current?.focus();
  };

  const toggle = (i: number) => {
    const n = items[i];
    if (!n) return;
    const next = new Set(selected);
    if (next.has(n.id)) next.delete(n.id);
    else next.add(n.id);
    setSelected(next);
    anchor.current = i;
  };

  const selectAll = () => {
    selectAllPending.current = items.length < total;
    if (items.length < total) listing.want(total);
    setSelected(new Set(items.map((n) => n.id)));
  };

  const askDelete = (nodes: Node[]) => {
    if (!nodes.length) return;
    void trashWithUndo(
      nodes,
      (trashed) => {
        listing.remove(trashed);
        setSelected(new Set());
        void refreshMe();
      },
      () => {
        reload();
        void refreshMe();
      },
    );
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    const move = (to: number) => {
      e.preventDefault();
      const i = Math.max(0, Math.min(to, items.length - 1));
      setFocusIndex(i);
      list.current?.scrollToIndex(i);
      if (e.shiftKey) selectRange(anchor.current, i, false);
      else if (!mod) {
        const n = items[i];
        if (n) setSelected(new Set([n.id]));
        anchor.current = i;
      }
    };
    const focused = items[focusIndex];
    switch (e.key) {
      case 'ArrowDown':
        return move(focusIndex + 1);
      case 'ArrowUp':
        return move(focusIndex - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(items.length - 1);
      case 'PageDown':
        return move(focusIndex + 10);
      case 'PageUp':
        return move(focusIndex - 10);
      case 'Enter':
        if (focused) {
          e.preventDefault();
          open(focused);
        }
        return;
      case ' ':
        e.preventDefault();
        return toggle(focusIndex);
      case 'Delete':
        e.preventDefault();
        return askDelete(selectedNodes.length ? selectedNodes : focused ? [focused] : []);
      case 'Backspace':
        if (mod) {
          e.preventDefault();
          askDelete(selectedNodes.length ? selectedNodes : focused ? [focused] : []);
        }
        return;
      case 'F2':
        e.preventDefault();
        if (focused) setModal({ kind: 'rename', node: focused });
        return;
      case 'Escape':
        return setSelected(new Set());
      case 'a':
      case 'A':
        if (mod) {
          e.preventDefault();
          selectAll();
        }
        return;
    }
  };

  const menuItems = (nodes: Node[]): MenuItem[] => {
    const one = nodes.length === 1 ? nodes[0] : undefined;
    const items: MenuItem[] = [];
    if (one?.kind === 'folder')
      items.push({ label: 'Open', icon: <FolderOpen size={16} />, run: () => open(one) });
    items.push({
      label: one?.kind === 'file' ? 'Download' : 'Download as zip',
      icon: one?.kind === 'file' ? <Download size={16} /> : <FileArchive size={16} />,
      run: () => downloadNodes(nodes),
    });
    if (one && place.role === 'owner' && !place.sharedRootId)
      items.push({
        label: 'Share…',
        icon: <Users size={16} />,
        run: () => setModal({ kind: 'share', node: one }),
      });
    if (one && place.role === 'owner' && !place.sharedRootId)
      items.push({
        label: 'Get link…',
        icon: <Link2 size={16} />,
        run: () => setModal({ kind: 'link', node: one }),
      });
    if (one && canWrite)
      items.push({
        label: 'Rename',
        icon: <Pencil size={16} />,
        run: () => setModal({ kind: 'rename', node: one }),
      });
    if (canWrite)
      items.push({
        label: 'Move to…',
        icon: <FolderInput size={16} />,
        run: () => setModal({ kind: 'move', nodes }),
      });
    items.push({ label: 'Copy to…', icon: <Copy size={16} />, run: () => setModal({ kind: 'copy', nodes }) });
    if (one?.kind === 'file')
      items.push({
        label: 'Versions',
        icon: <History size={16} />,
        run: () => setModal({ kind: 'versions', node: one }),
      });
    if (canWrite)
      items.push({
        label: 'Move to trash',
        icon: <Trash2 size={16} />,
        danger: true,
        run: () => askDelete(nodes),
      });
    return items;
  };

  const onMenu = (i: number, x: number, y: number) => {
    const n = items[i];
    if (!n) return;
    setFocusIndex(i);
    // Acting on a row outside the selection acts on that row alone, as in desktop file managers.
    const nodes = selected.has(n.id) ? selectedNodes : [n];
    if (!selected.has(n.id)) setSelected(new Set([n.id]));
    setMenu({ x, y, nodes });
  };

  const hasFiles = (e: React.DragEvent) => Array.from(e.dataTransfer.types).includes('Files');

  return (
    <div
      className="page files-page"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        dragDepth.current++;
        setDragging(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => {
        dragDepth.current = Math.max(0, dragDepth.current - 1);
        if (!dragDepth.current) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        dragDepth.current = 0;
        setDragging(false);
        const { entries, loose } = entriesOfDrop(e.dataTransfer);
        void walkEntries(entries, loose)
          .then((picked) => {
            if (picked.files.length || picked.dirs.length) enqueueUploads(folder.id, picked);
          })
          .catch(() => toast('Some dropped items could not be read.', { tone: 'error' }));
      }}
    >
      <div className="page-head">
        <Breadcrumbs crumbs={crumbs} />
        <div className="toolbar" role="toolbar" aria-label="File actions">
          {selectedNodes.length > 0 ? (
            <>
              <span className="selection-count" aria-live="polite">
                {plural(selectedNodes.length, 'selected', 'selected')}
              </span>
              <button type="button" className="button" onClick={() => downloadNodes(selectedNodes)}>
                <Download size={16} aria-hidden="true" />
                <span className="label">Download</span>
              </button>
              {selectedNodes.length === 1 && place.role === 'owner' && !place.sharedRootId && (
                <button
                  type="button"
                  className="button"
                  onClick={() => setModal({ kind: 'share', node: selectedNodes[0]! })}
                >
                  <Users size={16} aria-hidden="true" />
                  <span className="label">Share</span>
                </button>
              )}
              {selectedNodes.length === 1 && canWrite && (
                <button
                  type="button"
                  className="button"
                  onClick={() => setModal({ kind: 'rename', node: selectedNodes[0]! })}
                >
                  <Pencil size={16} aria-hidden="true" />
                  <span className="label">Rename</span>
                </button>
              )}
              {canWrite && (
                <button
                  type="button"
                  className="button"
                  onClick={() => setModal({ kind: 'move', nodes: selectedNodes })}
                >
                  <FolderInput size={16} aria-hidden="true" />
                  <span className="label">Move</span>
                </button>
              )}
              <button
                type="button"
                className="button"
                onClick={() => setModal({ kind: 'copy', nodes: selectedNodes })}
              >
                <Copy size={16} aria-hidden="true" />
                <span className="label">Copy</span>
              </button>
              {canWrite && (
                <button
                  type="button"
                  className="button danger-ghost"
                  onClick={() => askDelete(selectedNodes)}
                >
                  <Trash2 size={16} aria-hidden="true" />
                  <span className="label">Delete</span>
                </button>
              )}
              <button
                type="button"
                className="icon-button"
                aria-label="Clear selection"
                onClick={() => setSelected(new Set())}
              >
                <X size={18} />
              </button>
            </>
          ) : !canWrite ? (
            <span className="badge">View only</span>
          ) : (
            <>
              <button type="button" className="button primary" onClick={() => fileInput.current?.click()}>
                <Upload size={16} aria-hidden="true" />
                <span className="label">Upload files</span>
              </button>
              <button type="button" className="button" onClick={() => dirInput.current?.click()}>
                <FolderUp size={16} aria-hidden="true" />
                <span className="label">Upload folder</span>
              </button>
              <button type="button" className="button" onClick={() => setModal({ kind: 'new-folder' })}>
                <FolderPlus size={16} aria-hidden="true" />
                <span className="label">New folder</span>
              </button>
            </>
          )}
        </div>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label="Files to upload"
          onChange={(e) => {
            if (e.target.files?.length) enqueueUploads(folder.id, pickedFromInput(e.target.files));
            e.target.value = '';
          }}
        />
        <input
          ref={dirInput}
          type="file"
          multiple
          hidden
          aria-label="Folder to upload"
          onChange={(e) => {
            if (e.target.files?.length) enqueueUploads(folder.id, pickedFromInput(e.target.files));
            e.target.value = '';
          }}
        />
      </div>

      {listing.error && (
        <p className="alert error" role="alert">
          {listing.error}{' '}
          <button type="button" className="button small" onClick={reload}>
            Try again
          </button>
        </p>
      )}

      {!listing.loading && total === 0 && !listing.error ? (
        <div className="empty drop-hint">
          <FolderOpen size={56} aria-hidden="true" className="muted" />
          <h2>This folder is empty</h2>
          <p className="muted">Drop files or folders here, or use Upload.</p>
        </div>
      ) : (
        <FileList
          ref={list}
          label={`Contents of ${folder.name || 'My files'}`}
          items={items}
          // Rows stay while a reload is in flight: emptying the list would scroll it back to the top.
          total={total}
          selected={selected}
          focusIndex={focusIndex}
          sort={sort}
          order={order}
          hrefOf={(n) => (n.kind === 'folder' ? hrefIn(place, [...segments, n.name]) : null)}
          onSort={setSort}
          onRowClick={onRowClick}
          onToggle={toggle}
          onOpen={open}
          onMenu={onMenu}
          onKeyDown={onKeyDown}
          onWant={listing.want}
        />
      )}
      <p className="sr-only" aria-live="polite">
        {listing.loading ? 'Loading' : plural(total, 'item')}
      </p>

      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <Upload size={40} />
          <div>Drop to upload to “{folder.name || 'My files'}”</div>
        </div>
      )}

      {menu && (
        <Menu
          x={menu.x}
          y={menu.y}
          label={
            menu.nodes.length === 1
              ? `Actions for ${menu.nodes[0]!.name}`
              : `Actions for ${menu.nodes.length} items`
          }
          items={menuItems(menu.nodes)}
          onClose={() => setMenu(null)}
        />
      )}

      {modal?.kind === 'new-folder' && (
        <NameDialog
          title="New folder"
          label="Folder name"
          initial=""
          submitLabel="Create"
          onClose={() => setModal(null)}
          onSubmit={async (name) => {
            await call(
              api.POST('/api/nodes/{id}/folders', { params: { path: { id: folder.id } }, body: { name } }),
            );
            reload();
          }}
        />
      )}
      {modal?.kind === 'rename' && (
        <NameDialog
          title="Rename"
          label="New name"
          initial={modal.node.name}
          submitLabel="Rename"
          onClose={() => {
            setModal(null);
            list.current?.focus();
          }}
          onSubmit={async (name) => {
            if (name === modal.node.name) return;
            const n = await call(
              api.PATCH('/api/nodes/{id}', { params: { path: { id: modal.node.id } }, body: { name } }),
            );
            listing.replace(n);
          }}
        />
      )}
      {(modal?.kind === 'move' || modal?.kind === 'copy') && (
        <FolderPickerDialog
          title={`${modal.kind === 'move' ? 'Move' : 'Copy'} ${modal.nodes.length === 1 ? `“${modal.nodes[0]!.name}”` : plural(modal.nodes.length, 'item')}`}
          actionLabel={modal.kind === 'move' ? 'Move' : 'Copy'}
          {...(modal.kind === 'move' && place.sharedRootId
            ? { rootId: place.sharedRootId, rootLabel: crumbs[1]!.name, startSegments: segments }
            : {
                rootId: user?.rootId ?? '',
                startSegments: place.sharedRootId ? [] : segments,
              })}
          {...(modal.kind === 'move' ? { current: folder.id } : {})}
          excluded={
            new Set(
              modal.kind === 'move' ? modal.nodes.filter((n) => n.kind === 'folder').map((n) => n.id) : [],
            )
          }
          onClose={() => setModal(null)}
          onPick={async (target) => {
            const ids = modal.nodes.map((n) => n.id);
            const { ok, error } =
              modal.kind === 'move'
                ? await eachLimited(ids, (id) =>
                    target === folder.id
                      ? Promise.resolve()
                      : call(
                          api.PATCH('/api/nodes/{id}', {
                            params: { path: { id } },
                            body: { parentId: target },
                          }),
                        ),
                  )
                : await eachLimited(ids, (id) =>
                    call(
                      api.POST('/api/nodes/{id}/copy', {
                        params: { path: { id } },
                        body: { parentId: target, conflict: 'rename' },
                      }),
                    ),
                  );
            if (ok.length) {
              setSelected(new Set());
              reload();
              void refreshMe();
              toast(`${modal.kind === 'move' ? 'Moved' : 'Copied'} ${plural(ok.length, 'item')}.`, {
                tone: 'success',
              });
            }
            if (error) throw error;
          }}
        />
      )}
      {modal?.kind === 'share' && (
        <ShareDialog
          node={modal.node}
          onClose={() => setModal(null)}
          onTransferred={() => {
            setSelected(new Set());
            reload();
            void refreshMe();
          }}
        />
      )}
      {modal?.kind === 'link' && <LinkDialog node={modal.node} onClose={() => setModal(null)} />}
      {modal?.kind === 'versions' && (
        <VersionsDialog
          file={modal.node}
          onClose={() => setModal(null)}
          onRestored={() => {
            reload();
            void refreshMe();
          }}
        />
      )}
    </div>
  );
}
