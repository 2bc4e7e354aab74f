import { urls, type Node } from '@loft/sdk';
import { api, call, humanError } from './api.js';
import { plural } from './format.js';
import { toast } from './toasts.js';

/** Starts a browser download; the server answers with Content-Disposition: attachment. */
export function download(url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function downloadNodes(nodes: Node[]): void {
  const only = nodes[0];
  if (nodes.length === 1 && only)
    download(only.kind === 'file' ? urls.content(only.id) : urls.folderZip(only.id));
  else if (nodes.length > 1) download(urls.zip(nodes.map((n) => n.id)));
}

/** Runs one request per item, a few at a time; returns the ids that worked and the first error. */
export async function eachLimited(
  ids: string[],
  fn: (id: string) => Promise<unknown>,
  parallel = 4,
): Promise<{ ok: string[]; error: unknown }> {
  const ok: string[] = [];
  let error: unknown = null;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        await fn(id);
        ok.push(id);
      } catch (e) {
        error ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, ids.length) }, worker));
  return { ok, error };
}

/** Moves items to the trash and offers an Undo that restores them where they were. */
export async function trashWithUndo(
  nodes: Node[],
  after: (trashed: Set<string>) => void,
  restored: () => void,
) {
  const { ok, error } = await eachLimited(
    nodes.map((n) => n.id),
    (id) => call(api.DELETE('/api/nodes/{id}', { params: { path: { id } } })),
  );
  const trashed = new Set(ok);
  after(trashed);
  if (error) toast(humanError(error), { tone: 'error' });
  if (!ok.length) return;
  const what = ok.length === 1 ? `“${nodes.find((n) => n.id === ok[0])?.name}”` : plural(ok.length, 'item');
  toast(`Moved ${what} to trash.`, {
    action: {
      label: 'Undo',
      run: () => {
        void eachLimited(ok, (id) =>
          call(api.POST('/api/trash/{id}/restore', { params: { path: { id } } })),
        ).then((r) => {
          restored();
          if (r.error) toast(humanError(r.error), { tone: 'error' });
          else toast(`Restored ${ok.length === 1 ? what : plural(ok.length, 'item')}.`, { tone: 'success' });
        });
      },
    },
  });
}
