import type { FolderToProvide } from '../../../../shared/api';
import { isFolderDocument } from '../../../../shared/dataset';

/** A folder's documents, and how many of its other files were left out (other types, hidden ones). */
export interface ChosenFolder extends FolderToProvide {
  readonly skipped: number;
}

/** Keeps the documents a folder import reads: not hidden (no segment starting with "."), a .txt/.md name. */
function collect(
  name: string,
  all: ReadonlyArray<{ file: File; path: string }>,
  folder?: File,
): ChosenFolder {
  const files = all.filter(
    ({ path }) =>
      !path.split('/').some((p) => p.startsWith('.')) && isFolderDocument(path.split('/').pop() ?? ''),
  );
  return { name, files, skipped: all.length - files.length, ...(folder ? { folder } : {}) };
}

/** The folder an `<input webkitdirectory>` gave: each file's webkitRelativePath is "<folder>/<path inside>". */
export function folderFromInput(list: FileList | readonly File[]): ChosenFolder | null {
  const files = [...list];
  if (files.length === 0) return null;
  const name = files[0].webkitRelativePath.split('/')[0] || 'folder';
  return collect(
    name,
    files.map((file) => ({ file, path: file.webkitRelativePath.split('/').slice(1).join('/') || file.name })),
  );
}

interface Entry {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
}
interface FileEntry extends Entry {
  file(ok: (f: File) => void, fail: (e: unknown) => void): void;
}
interface DirectoryEntry extends Entry {
  createReader(): { readEntries(ok: (entries: Entry[]) => void, fail: (e: unknown) => void): void };
}

/** Every file below a dropped directory entry, with its path inside it (a reader gives entries in batches). */
async function walk(
  dir: DirectoryEntry,
  prefix: string,
  out: Array<{ file: File; path: string }>,
): Promise<void> {
  const reader = dir.createReader();
  for (;;) {
    const batch = await new Promise<Entry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return;
    for (const entry of batch) {
      const path = prefix + entry.name;
      if (entry.isDirectory) {
        if (!entry.name.startsWith('.')) await walk(entry as DirectoryEntry, `${path}/`, out);
      } else if (entry.isFile) {
        const file = await new Promise<File>((ok, fail) => (entry as FileEntry).file(ok, fail));
        out.push({ file, path });
      }
    }
  }
}

/** A folder dropped onto the page (the drop's one directory entry), read through the File and Directory Entries API. */
export async function folderFromDrop(item: DataTransferItem, folder: File | null): Promise<ChosenFolder> {
  const entry = item.webkitGetAsEntry() as unknown as DirectoryEntry;
  const all: Array<{ file: File; path: string }> = [];
  await walk(entry, '', all);
  return collect(entry.name, all, folder ?? undefined);
}
