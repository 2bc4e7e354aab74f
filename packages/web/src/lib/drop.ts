/** Files picked or dropped, with the path relative to the drop target ("photos/2024/a.jpg"). */
export interface PickedFile {
  file: File;
  relativePath: string;
}

export interface Picked {
  files: PickedFile[];
  /** Every directory seen, so empty ones are recreated too. */
  dirs: string[];
}

/**
 * Reads a drop. Entries must be taken while the event is being dispatched (the list is emptied
 * afterwards), then directories are walked asynchronously.
 */
export function entriesOfDrop(dt: DataTransfer): { entries: FileSystemEntry[]; loose: File[] } {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (!entries.length && !loose.length) loose.push(...Array.from(dt.files ?? []));
  return { entries, loose };
}

export async function walkEntries(entries: FileSystemEntry[], loose: File[] = []): Promise<Picked> {
  const out: Picked = { files: loose.map((file) => ({ file, relativePath: file.name })), dirs: [] };
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) =>
        (entry as FileSystemFileEntry).file(resolve, reject),
      );
      out.files.push({ file, relativePath: rel });
    } else if (entry.isDirectory) {
      out.dirs.push(rel);
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries answers in batches (100 in Chromium) until it answers an empty one.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
          reader.readEntries(resolve, reject),
        );
        if (!batch.length) break;
        for (const child of batch) await walk(child, rel);
      }
    }
  };
  for (const e of entries) await walk(e, '');
  return out;
}

/** An <input type=file webkitdirectory> gives files with webkitRelativePath set. */
export function pickedFromInput(list: FileList): Picked {
  const files = Array.from(list).map((file) => ({
    file,
    relativePath: file.webkitRelativePath || file.name,
  }));
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.relativePath.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return { files, dirs: [...dirs] };
}
