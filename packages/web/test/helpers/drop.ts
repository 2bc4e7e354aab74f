import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

/** A directory tree as the page receives it: files carry their bytes (base64), folders their children. */
export type TreeNode = { name: string; base64: string } | { name: string; children: TreeNode[] };

export function treeOf(dir: string): TreeNode {
  const name = path.basename(dir);
  if (!statSync(dir).isDirectory()) return { name, base64: readFileSync(dir).toString('base64') };
  return { name, children: readdirSync(dir).map((n) => treeOf(path.join(dir, n))) };
}

async function centerOf(target: Locator): Promise<{ x: number; y: number }> {
  const box = await target.boundingBox();
  if (!box) throw new Error('the drop target is not visible');
  return { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) };
}

/**
 * Drops a directory of the local disk the way a person does from a file manager: Chromium's own
 * drag-and-drop pipeline, driven through CDP (Input.dispatchDragEvent with the path as drag data).
 * Chromium then hands the page real FileSystemEntry objects backed by the disk.
 *
 * A capture listener first looks at what the page is given. Returns true when the drop carried a
 * directory entry (the app received it); when it did not (a Chromium build that does not turn
 * drag data into entries), the listener stops the drop before the app sees it and returns false.
 */
export async function dropDirectoryFromDisk(page: Page, dir: string, target: Locator): Promise<boolean> {
  await page.evaluate(() => {
    const w = window as unknown as { __loftDrop?: { dirs: number; files: number } | null };
    w.__loftDrop = null;
    window.addEventListener(
      'drop',
      (e) => {
        let dirs = 0;
        let files = 0;
        for (const item of Array.from(e.dataTransfer?.items ?? [])) {
          const entry = item.kind === 'file' ? item.webkitGetAsEntry?.() : null;
          if (entry?.isDirectory) dirs++;
          else if (entry?.isFile) files++;
        }
        w.__loftDrop = { dirs, files };
        if (!dirs) {
          // Not what a real folder drop gives: keep it from the app (and the browser from opening it).
          e.preventDefault();
          e.stopPropagation();
        }
      },
      { capture: true, once: true },
    );
  });
  const { x, y } = await centerOf(target);
  const cdp = await page.context().newCDPSession(page);
  try {
    const data = { items: [], files: [dir], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const)
      await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
  } finally {
    await cdp.detach();
  }
  const seen = await page
    .waitForFunction(() => (window as unknown as { __loftDrop?: unknown }).__loftDrop ?? false, undefined, {
      timeout: 5_000,
    })
    .then((h) => h.jsonValue() as Promise<{ dirs: number; files: number }>)
    .catch(() => null);
  return !!seen && seen.dirs > 0;
}

/**
 * Drops a tree through a synthetic `drop` event whose dataTransfer items answer webkitGetAsEntry()
 * with objects implementing Chromium's FileSystemEntry API (isFile/isDirectory/name, file(cb),
 * createReader().readEntries(cb) in batches of at most 100, then an empty batch), built from real
 * File objects. Only the source of the event is simulated: the app's own traversal and upload code
 * runs unchanged.
 */
export async function dropTreeSynthetic(page: Page, tree: TreeNode, target: Locator): Promise<void> {
  await target.evaluate((el, root) => {
    type Node = { name: string; base64: string } | { name: string; children: Node[] };
    const later = (fn: () => void) => setTimeout(fn, 0);
    const entryOf = (n: Node, parent: string): unknown => {
      const fullPath = `${parent}/${n.name}`;
      if ('base64' in n) {
        const bytes = Uint8Array.from(atob(n.base64), (c) => c.charCodeAt(0));
        const file = new File([bytes], n.name, { lastModified: Date.now() });
        return {
          isFile: true,
          isDirectory: false,
          name: n.name,
          fullPath,
          file: (ok: (f: File) => void) => later(() => ok(file)),
        };
      }
      const children = n.children.map((c) => entryOf(c, fullPath));
      return {
        isFile: false,
        isDirectory: true,
        name: n.name,
        fullPath,
        createReader: () => {
          let at = 0;
          return {
            readEntries: (ok: (batch: unknown[]) => void) =>
              later(() => {
                const batch = children.slice(at, at + 100);
                at += batch.length;
                ok(batch);
              }),
          };
        },
      };
    };
    const entry = entryOf(root, '');
    const dataTransfer = {
      types: ['Files'],
      files: [],
      items: [{ kind: 'file', type: '', webkitGetAsEntry: () => entry, getAsFile: () => null }],
      dropEffect: 'none',
      effectAllowed: 'all',
    };
    const r = el.getBoundingClientRect();
    for (const type of ['dragenter', 'dragover', 'drop']) {
      const ev = new Event(type, { bubbles: true, cancelable: true });
      Object.defineProperty(ev, 'dataTransfer', { value: dataTransfer });
      Object.defineProperty(ev, 'clientX', { value: r.left + r.width / 2 });
      Object.defineProperty(ev, 'clientY', { value: r.top + r.height / 2 });
      el.dispatchEvent(ev);
    }
  }, tree);
}

/**
 * Drops a local directory on the page: a real drop from the disk when this Chromium turns CDP drag
 * data into directory entries (it does in headless mode), else the synthetic FileSystemEntry drop.
 */
export async function dropDirectory(page: Page, dir: string, target: Locator): Promise<'disk' | 'synthetic'> {
  if (await dropDirectoryFromDisk(page, dir, target)) return 'disk';
  await dropTreeSynthetic(page, treeOf(dir), target);
  return 'synthetic';
}
